import Foundation
import XCTest
@testable import ViTCommands
@testable import ViTStages
import ViTCore
import ViTStore

final class PruneParentTests: XCTestCase {
    func testTheParentGivesItsHashSeedAndImbalanceRatio() throws {
        let path = temporaryPath("parent.h5")
        try makeParentCheckpoint(at: path, imbalanceRatio: 10, seed: 7)
        let parent = try PruneParent(path: path)
        XCTAssertEqual(parent.seed, 7)
        XCTAssertEqual(parent.imbalanceRatio, 10)
        XCTAssertEqual(parent.sha256, try Checkpoint.sha256(ofFile: path))
        XCTAssertEqual(try parent.makeModel().config.dim, 32)
    }

    func testTheChildRecordKeepsTheParentsSectionsReplacesItsPruningAndNamesTheParent() throws {
        let path = temporaryPath("parent.h5")
        try makeParentCheckpoint(at: path, imbalanceRatio: 10, edit: { file in
            let old = (try? file.string("config", file: "")) ?? ""
            let config = try! ConfigJSON.decodeModel(old, file: "")
            var pruning = PruningConfig()
            pruning.sparsity = 0.9
            var training = TrainingConfig()
            training.imbalanceRatio = 10
            file.attributes["config"] = .string(ConfigJSON.encode(model: config, sections: ["training": training, "pruning": pruning]))
        })
        let parent = try PruneParent(path: path)
        var smaller = try parent.makeModel().config
        smaller.blockHeads = [2, 3]
        var pruning = PruningConfig()
        pruning.sparsity = 0.25
        let record = parent.childRecord(model: smaller, pruning: pruning)
        XCTAssertEqual(record.stage, .pruned)
        XCTAssertEqual(record.parent, ModelRecord.Source(name: (path as NSString).lastPathComponent, sha256: parent.sha256))
        let json = record.configJSON
        XCTAssertEqual(try ConfigJSON.decodeModel(json, file: "child").blockHeads, [2, 3])
        XCTAssertEqual(try ConfigJSON.decodeSection(PruningConfig.self, key: "pruning", from: json, file: "child")?.sparsity, 0.25)
        XCTAssertEqual(try ConfigJSON.decodeSection(TrainingConfig.self, key: "training", from: json, file: "child")?.imbalanceRatio, 10)
    }

    func testAQuantizedParentIsRefusedInOneLine() throws {
        for edit: (inout Checkpoint) -> Void in [
            { $0.attributes["stage"] = .string("int8") },
            { file in
                let name = "blocks.0.attn.qkv.weight", shape = file.weights[name]!.shape
                file.weights[name] = StoredArray(shape: shape, values: .int8([Int8](repeating: 1, count: shape.reduce(1, *))))
                file.weights[name + "_scale"] = StoredArray(floats: [0.1])
            },
        ] {
            let path = temporaryPath("quantized.h5")
            try makeParentCheckpoint(at: path, edit: edit)
            XCTAssertThrowsError(try PruneParent(path: path)) { error in
                XCTAssertTrue("\(error)".hasPrefix("\(path): already quantized (stage "), "\(error)")
                XCTAssertTrue("\(error)".hasSuffix("prune the float checkpoint it came from"), "\(error)")
                XCTAssertFalse("\(error)".contains("\n"))
            }
        }
    }
}
