import Foundation
import XCTest
@testable import ViTCore

final class PruningConfigTests: XCTestCase {
    func testDefaultsAreValidAndRoundTripThroughSnakeCaseJSON() throws {
        var config = PruningConfig()
        XCTAssertNoThrow(try config.validate())
        config.schedule = .gradual
        config.finetuneEpochs = 3
        config.rampEpochs = 2
        config.layers = [.qkv, .patchEmbed]
        config.finetune = TrainingConfig()
        let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        for key in ["\"finetune_epochs\":3", "\"ramp_epochs\":2", "\"prune_interval\":50", "\"patch_embed\"", "\"scope\":\"layer\""] {
            XCTAssertTrue(json.contains(key), "\(key) in \(json)")
        }
        XCTAssertEqual(try JSONDecoder().decode(PruningConfig.self, from: Data(json.utf8)), config)
    }

    func testImpossibleSettingsGetOneLineErrors() {
        func edited(_ edit: (inout PruningConfig) -> Void) -> PruningConfig {
            var config = PruningConfig()
            edit(&config)
            return config
        }
        let cases: [(PruningConfig, String)] = [
            (edited { $0.sparsity = 1 }, "sparsity must be in [0, 1), got 1.0"),
            (edited { $0.sparsity = -0.1 }, "sparsity must be in [0, 1), got -0.1"),
            (edited { $0.sparsity = .nan }, "sparsity must be in [0, 1), got nan"),
            (edited { $0.layers = [] }, "no layers to prune"),
            (edited { $0.structure = .heads; $0.layers = [.qkv] },
             "layers apply to unstructured pruning only; heads pruning acts on its own matrices"),
            (edited { $0.schedule = .gradual }, "the gradual schedule prunes while fine-tuning: needs at least 1 fine-tuning epoch"),
            (edited { $0.schedule = .gradual; $0.finetuneEpochs = 2; $0.structure = .neurons },
             "the gradual schedule is for unstructured pruning only"),
            (edited { $0.schedule = .gradual; $0.finetuneEpochs = 2; $0.rampEpochs = 3 },
             "ramp epochs must be between 1 and the 2 fine-tuning epochs, got 3"),
            (edited { $0.rampEpochs = 1 }, "ramp epochs apply to the gradual schedule only"),
            (edited { $0.pruneInterval = 0 }, "prune interval must be at least 1 step, got 0"),
            (edited { $0.finetuneEpochs = -1 }, "fine-tuning epochs must not be negative, got -1"),
        ]
        for (config, message) in cases {
            XCTAssertThrowsError(try config.validate()) { XCTAssertEqual("\($0)", message) }
        }
    }
}
