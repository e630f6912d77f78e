import Foundation
import XCTest
import ViTCore
@testable import ViTStages

final class PlanTests: XCTestCase {
    private func parse(_ json: String) throws -> Plan {
        try Plan.parse(Data(json.utf8), name: "test", file: "plans/test.json")
    }

    private func assertRefused(_ json: String, saying expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(json), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(expected), "\(message)", file: file, line: line)
            XCTAssertTrue(message.hasPrefix("plans/test.json"), "names the file: \(message)", file: file, line: line)
            XCTAssertFalse(message.contains("\n"), "one line: \(message)", file: file, line: line)
        }
    }

    func testEveryStepKindIsReadWithItsSettings() throws {
        let plan = try parse("""
            {"description": "d", "imbalance-ratio": 50, "seed": 3, "steps": [
              {"step": "train", "output": "t.h5", "recipe": "cct-teacher", "epochs": 4},
              {"step": "distill", "output": "s.h5", "recipe": "cct-student", "teacher": "t.h5", "distill": "hard"},
              {"step": "prune", "parent": "s.h5", "output": "p.h5", "structure": "neurons", "sparsities": [0.25, 0.5],
               "finetune-epochs": 2, "recipe": "cct-student-finetune", "teacher": "t.h5"},
              {"step": "quantize", "parent": "s.h5", "output": "q.h5", "calibration-images": 64},
              {"step": "report"}]}
            """)
        XCTAssertEqual(plan.description, "d")
        XCTAssertEqual(plan.imbalanceRatio, 50)
        XCTAssertEqual(plan.seed, 3)
        XCTAssertEqual(plan.steps, [
            .train(Plan.Train(output: "t.h5", recipe: "cct-teacher", epochs: 4)),
            .distill(Plan.Distill(output: "s.h5", recipe: "cct-student", teacher: "t.h5", kind: .hard)),
            .prune(Plan.Prune(parent: "s.h5", output: "p.h5", structure: .neurons, sparsities: [0.25, 0.5],
                              finetuneEpochs: 2, recipe: "cct-student-finetune", teacher: "t.h5")),
            .quantize(Plan.Quantize(parent: "s.h5", output: "q.h5", calibrationImages: 64)),
            .report,
        ])
        XCTAssertEqual(plan.steps[2].outputs, ["p-s25.h5", "p-s50.h5"], "a sweep names each level's file")
        XCTAssertEqual(plan.sha256.count, 64)
    }

    func testMistakesAreOneLineErrorsNamingTheStepAndKey() {
        assertRefused(#"{"steps": [{"step": "train", "output": "t.h5", "recipe": "r", "lr": 1}]}"#,
                      saying: "step 1 (train): unknown key 'lr'")
        assertRefused(#"{"steps": [{"step": "report"}, {"step": "fly"}]}"#, saying: "step 2: 'step' must be train, distill")
        assertRefused(#"{"steps": [{"output": "t.h5"}]}"#, saying: "step 1: needs 'step'")
        assertRefused(#"{"steps": [{"step": "distill", "output": "s.h5", "recipe": "r"}]}"#,
                      saying: "step 1 (distill): needs 'teacher'")
        assertRefused(#"{"steps": [{"step": "prune", "parent": "s.h5", "output": "p.h5", "sparsities": [1.5]}]}"#,
                      saying: "'sparsities' must be levels in [0, 1)")
        assertRefused(#"{"steps": [{"step": "prune", "parent": "s.h5", "output": "p.h5", "sparsities": 0.5}]}"#,
                      saying: "'sparsities' must be a list of numbers, got 0.5")
        assertRefused(#"{"steps": [{"step": "train", "output": "t.h5", "recipe": "r", "epochs": 0}]}"#,
                      saying: "'epochs' must be a positive whole number, got 0")
        assertRefused(#"{"steps": [{"step": "distill", "output": "s", "recipe": "r", "teacher": "t", "distill": "none"}]}"#,
                      saying: "'distill' must be soft or hard")
        assertRefused(#"{"seed": -1, "steps": [{"step": "report"}]}"#, saying: "'seed' must be a seed of 0 or more")
        assertRefused(#"{"imbalance-ratio": 0.5, "steps": [{"step": "report"}]}"#, saying: "'imbalance-ratio' must be at least 1")
        assertRefused(#"{"step": [{"step": "report"}]}"#, saying: "unknown key 'step'")
        assertRefused(#"{"description": "nothing to do"}"#, saying: "a plan needs 'steps'")
    }

    func testTheReferencePlanLoadsByNameAndItsRecipesExist() throws {
        let plan = try Plan.load("reference")
        XCTAssertEqual(plan.name, "reference")
        for step in plan.steps {
            switch step {
            case .train(let train): XCTAssertNoThrow(try Recipe.load(train.recipe))
            case .distill(let distill): XCTAssertNoThrow(try Recipe.load(distill.recipe))
            case .prune(let prune): XCTAssertNoThrow(try prune.recipe.map { try Recipe.load($0) })
            default: break
            }
        }
        XCTAssertThrowsError(try Plan.load("no-such-plan")) { error in
            XCTAssertTrue("\(error)".contains("plan 'no-such-plan' not found"), "\(error)")
        }
    }
}
