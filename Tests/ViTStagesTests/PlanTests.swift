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

    func testStepSettingsChangeTheirRecipeOrStandAlone() throws {
        let plan = try parse("""
            {"steps": [
              {"step": "train", "output": "t.h5", "recipe": "cct-teacher", "settings": {"dim": 64, "epochs": 12, "policy": "none"}},
              {"step": "distill", "output": "s.h5", "teacher": "t.h5", "settings": {"preset": "cct-student", "depth": 2}},
              {"step": "prune", "parent": "s.h5", "output": "p.h5", "sparsities": [0.5], "settings": {"lr": 2e-4}}]}
            """)
        guard case .train(let train) = plan.steps[0], case .distill(let distill) = plan.steps[1],
              case .prune(let prune) = plan.steps[2] else { return XCTFail("train, distill, prune expected") }
        XCTAssertEqual(train.recipe, "cct-teacher")
        XCTAssertEqual([train.settings.architecture.dim, train.settings.epochs], [64, 12])
        XCTAssertEqual(train.settings.policy, AugmentationPolicy.none)
        XCTAssertNil(distill.recipe, "a step whose settings name the preset needs no recipe")
        XCTAssertEqual(distill.settings.preset, "cct-student")
        XCTAssertEqual(prune.settings.lr, 2e-4)
        // The runner builds the step's model and settings from them: settings over the recipe.
        let runner = PlanRunner(plan: plan, data: DataSource(directory: "data"))
        let model = try runner.architecture(train.recipe, train.settings)
        XCTAssertEqual([model.dim, model.depth, model.heads], [64, 6, 4], "cct-teacher with the width changed")
        let config = try runner.trainingConfig(train.recipe, train.settings, epochs: nil)
        XCTAssertEqual(config.epochs, 12)
        XCTAssertEqual(config.augmentationSettings?.policy ?? AugmentationPolicy.none, AugmentationPolicy.none,
                       "the step's policy replaces the recipe's AutoAugment")
        XCTAssertEqual(config.learningRate, 5e-4, "the recipe's learning rate stays")
        XCTAssertEqual(try runner.architecture(distill.recipe, distill.settings).depth, 2)
        // Mistakes inside settings name the step and the key.
        assertRefused(#"{"steps": [{"step": "train", "output": "t.h5", "recipe": "r", "settings": {"speed": 2}}]}"#,
                      saying: "step 1 (train) settings: unknown key 'speed'")
        assertRefused(#"{"steps": [{"step": "train", "output": "t.h5", "recipe": "r", "settings": {"pool": "max"}}]}"#,
                      saying: "'pool' must be one of cls, mean, seq")
        assertRefused(#"{"steps": [{"step": "train", "output": "t.h5", "settings": {"dim": 64}}]}"#,
                      saying: "step 1 (train): needs 'recipe'")
        assertRefused(#"{"steps": [{"step": "train", "output": "t.h5", "recipe": "r", "settings": [1]}]}"#,
                      saying: "'settings' must be an object of recipe keys")
    }

    func testStudyStepsAreReadWithTheirOwnKeys() throws {
        let plan = try parse("""
            {"steps": [
              {"step": "pretrain", "output": "p.h5", "mask-ratio": 0.5, "settings": {"preset": "student", "epochs": 2}},
              {"step": "train", "output": "t.h5", "recipe": "r", "stage": "study", "init": "p.h5", "encoder-lr-scale": 1},
              {"step": "distill", "output": "s.h5", "recipe": "r", "teacher": "t.h5", "distill": "hard", "temperature": 2,
               "alpha": 0.5, "dist-token": true, "drw-distillation": true, "adjusted-distillation": true,
               "balanced-distillation": true},
              {"step": "prune", "parent": "s.h5", "output": "x.h5", "sparsities": [0], "criterion": "taylor"},
              {"step": "quantize", "parent": "s.h5", "output": "q.h5", "mode": "dynamic"},
              {"step": "table", "report": "training", "title": "T", "files": ["t.h5", "s.h5"], "out": "t.md",
               "notes": "notes/t.md", "plot": "t.svg", "x": "sparsity", "speed-seconds": 1.5, "repeats": 2}]}
            """)
        guard case .pretrain(let pretrain) = plan.steps[0], case .train(let train) = plan.steps[1],
              case .distill(let distill) = plan.steps[2], case .prune(let prune) = plan.steps[3],
              case .quantize(let quantize) = plan.steps[4], case .table(let table) = plan.steps[5]
        else { return XCTFail("every kind expected in order") }
        XCTAssertEqual(pretrain.maskRatio, 0.5)
        XCTAssertEqual(pretrain.settings.epochs, 2)
        XCTAssertEqual(train.stage, .study)
        XCTAssertEqual(train.initFrom, "p.h5")
        XCTAssertEqual(train.encoderLearningRateScale, 1)
        XCTAssertEqual(distill.distillation.temperature, 2)
        XCTAssertEqual(distill.distillation.alpha, 0.5)
        XCTAssertEqual([distill.distillation.distillationToken, distill.distillation.drwDistillation,
                        distill.distillation.adjustedDistillation, distill.distillation.balancedDistillation], [true, true, true, true])
        XCTAssertEqual(prune.criterion, .taylor)
        XCTAssertEqual(prune.sparsities, [0])
        XCTAssertEqual(quantize.mode, .dynamic)
        XCTAssertEqual(table, Plan.Table(kind: .training, title: "T", files: ["t.h5", "s.h5"], output: "t.md", notes: "notes/t.md",
                                         plot: "t.svg", axis: "sparsity", speedSeconds: 1.5, repeats: 2))
        XCTAssertEqual(plan.steps.flatMap(\.outputs), ["p.h5", "t.h5", "s.h5", "x.h5", "q.h5"], "a table writes no model")
        assertRefused(#"{"steps": [{"step": "train", "output": "t", "recipe": "r", "stage": "int8"}]}"#,
                      saying: "'stage' must be teacher, student or study")
        assertRefused(#"{"steps": [{"step": "train", "output": "t", "recipe": "r", "encoder-lr-scale": 1}]}"#,
                      saying: "'encoder-lr-scale' must be given with 'init'")
        assertRefused(#"{"steps": [{"step": "distill", "output": "s", "recipe": "r", "teacher": "t", "dist-token": 1}]}"#,
                      saying: "'dist-token' must be true or false, got 1")
        assertRefused(#"{"steps": [{"step": "distill", "output": "s", "recipe": "r", "teacher": "t", "alpha": 2}]}"#,
                      saying: "'alpha' must be in [0, 1]")
        assertRefused(#"{"steps": [{"step": "quantize", "parent": "s", "output": "q", "mode": "fast"}]}"#,
                      saying: "'mode' must be one of static, dynamic")
        assertRefused(#"{"steps": [{"step": "table", "title": "T", "files": ["a.h5"], "out": "t.md", "x": "speed"}]}"#,
                      saying: "'x' must be one of params, nonzero")
        assertRefused(#"{"steps": [{"step": "table", "title": "T", "files": [], "out": "t.md"}]}"#,
                      saying: "'files' must be a list of strings")
        assertRefused(#"{"steps": [{"step": "pretrain", "output": "p.h5", "mask-ratio": 1}]}"#,
                      saying: "'mask-ratio' must be in [0, 1)")
    }

    /// plans/ and plans/studies/ in this package.
    private var planFiles: [String] {
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        return ["plans", "plans/studies"].flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: "\(package)/\(folder)")) ?? [])
                .filter { $0.hasSuffix(".json") }.sorted().map { "\(package)/\(folder)/\($0)" }
        }
    }

    func testEveryPlanFileLoadsAndEachStepResolvesItsRecipeAndModel() throws {
        XCTAssertGreaterThanOrEqual(planFiles.count, 15, "plans/ and plans/studies/ are found")
        XCTAssertNoThrow(try Plan.load("reference"))
        XCTAssertNoThrow(try Plan.load("quick"))
        for file in planFiles {
            let plan = try Plan.load(file)
            let runner = PlanRunner(plan: plan, data: DataSource(directory: "data"))
            var made = Set<String>()
            for step in plan.steps {
                switch step {
                case .train(let train):
                    XCTAssertNoThrow(try runner.architecture(train.recipe, train.settings), file)
                    XCTAssertNoThrow(try runner.trainingConfig(train.recipe, train.settings, epochs: train.epochs), file)
                case .distill(let distill):
                    XCTAssertNoThrow(try runner.architecture(distill.recipe, distill.settings), file)
                    XCTAssertNoThrow(try runner.trainingConfig(distill.recipe, distill.settings, epochs: distill.epochs), file)
                case .prune(let prune): XCTAssertNoThrow(try runner.pruneSettings(prune), file)
                case .pretrain(let pretrain): XCTAssertNoThrow(try runner.pretrainSettings(pretrain), file)
                default: break
                }
                for output in step.outputs {
                    XCTAssertFalse(made.contains(output), "\(file): \(output) is written twice")
                    made.insert(output)
                }
            }
        }
        XCTAssertThrowsError(try Plan.load("no-such-plan")) { error in
            XCTAssertTrue("\(error)".contains("plan 'no-such-plan' not found"), "\(error)")
        }
    }
}
