import Foundation
import XCTest
import ViTCore
import ViTStore
@testable import ViTStages

final class RecipeTests: XCTestCase {
    private func parse(_ json: String) throws -> Recipe {
        try Recipe.parse(Data(json.utf8), name: "test", file: "recipes/test.json")
    }

    private func assertRefused(_ json: String, saying expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(json), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(expected), "\(message)", file: file, line: line)
            XCTAssertTrue(message.hasPrefix("recipes/test.json: "), "names the file: \(message)", file: file, line: line)
            XCTAssertFalse(message.contains("\n"), "one line: \(message)", file: file, line: line)
        }
    }

    func testEveryKeyIsReadIntoItsTypedValue() throws {
        let recipe = try parse("""
            {"description": "d", "preset": "cct-student", "imbalance-ratio": 50, "epochs": 40, "batch-size": 64, "lr": 5e-4, "min-lr": 1e-5,
             "weight-decay": 0.03, "warmup-epochs": 2, "label-smoothing": 0.2, "clip-norm": 0.5, "loss": "logit-adjusted",
             "logit-tau": 1.5, "adjust-from-epoch": "80%", "drw-epoch": 30, "drw-beta": 0.999, "ema": 0.99,
             "eval-every": 4, "validation-fraction": 0.1, "validation-per-class": 20, "policy": "rand-augment", "random-erasing": 0.25,
             "mixup": 0.8, "cutmix": 1, "mix-off-epoch": "75%", "ohem-ratio": 0.7}
            """)
        let v = recipe.values
        XCTAssertEqual(v.description, "d")
        XCTAssertEqual(v.preset, "cct-student")
        XCTAssertEqual(v.imbalanceRatio, 50)
        XCTAssertEqual(v.epochs, 40)
        XCTAssertEqual(v.batchSize, 64)
        XCTAssertEqual(v.lr, 5e-4)
        XCTAssertEqual(v.minLr, 1e-5)
        XCTAssertEqual(v.weightDecay, 0.03)
        XCTAssertEqual(v.warmupEpochs, 2)
        XCTAssertEqual(v.labelSmoothing, 0.2)
        XCTAssertEqual(v.clipNorm, 0.5)
        XCTAssertEqual(v.loss, .logitAdjusted)
        XCTAssertEqual(v.logitTau, 1.5)
        XCTAssertEqual(v.adjustFromEpoch, .percent(80))
        XCTAssertEqual(v.drwEpoch, .epoch(30))
        XCTAssertEqual(v.drwBeta, 0.999)
        XCTAssertEqual(v.ema, 0.99)
        XCTAssertEqual(v.evalEvery, 4)
        XCTAssertEqual(v.validationFraction, 0.1)
        XCTAssertEqual(v.validationPerClass, 20)
        XCTAssertEqual(v.policy, .randAugment)
        XCTAssertEqual(v.randomErasing, 0.25)
        XCTAssertEqual(v.mixup, 0.8)
        XCTAssertEqual(v.cutmix, 1)
        XCTAssertEqual(v.mixOffEpoch, .percent(75))
        XCTAssertEqual(v.ohemRatio, 0.7)
        XCTAssertEqual(Recipe.keys.count, 38, "a new key needs a line in the parser and in this test")
    }

    func testArchitectureKeysChangeThePreset() throws {
        let recipe = try parse("""
            {"preset": "cct-student", "tokenizer": "conv", "patch-size": 8, "conv-layers": 1, "conv-channels": 32, "dim": 96,
             "depth": 3, "heads": 3, "mlp-dim": 192, "pool": "mean", "norm": "batch", "dropout": 0.1, "drop-path": 0.2}
            """)
        let a = recipe.values.architecture
        XCTAssertEqual(a.tokenizer, .conv)
        XCTAssertEqual([a.patchSize, a.convLayers, a.convChannels, a.dim, a.depth, a.heads, a.mlpDim], [8, 1, 32, 96, 3, 3, 192])
        XCTAssertEqual(a.pool, .mean)
        XCTAssertEqual(a.norm, .batch)
        XCTAssertEqual([a.dropout, a.dropPath], [0.1, 0.2])
        XCTAssertEqual(Recipe.Architecture.keys.count, 12, "a new key needs a line in the parser and in this test")
        XCTAssertThrowsError(try recipe.values.modelConfig(defaultPreset: "teacher")) { error in
            XCTAssertTrue("\(error)".contains("patch size 8 applies to the patch tokenizer"), "\(error)")
        }
        var conv = recipe.values
        conv.architecture.patchSize = nil  // the conv tokenizer has no patches
        let model = try conv.modelConfig(defaultPreset: "teacher")
        XCTAssertEqual([model.convLayers, model.convChannels, model.dim, model.depth, model.heads, model.mlpDim],
                       [1, 32, 96, 3, 3, 192])
        XCTAssertEqual(model.pool, .mean)
        XCTAssertEqual(model.imageSize, ModelConfig.preset(named: "cct-student")!.imageSize, "what the recipe leaves stays the preset's")
        // Without a preset the default applies; an impossible shape is a one-line error.
        XCTAssertEqual(try parse(#"{"depth": 2}"#).values.modelConfig(defaultPreset: "cct-teacher").dim, 256)
        XCTAssertThrowsError(try parse(#"{"dim": 100, "heads": 3}"#).values.modelConfig(defaultPreset: "cct-student")) { error in
            XCTAssertFalse("\(error)".contains("\n"))
        }
        assertRefused(#"{"pool": "max"}"#, saying: "'pool' must be one of cls, mean, seq")
        assertRefused(#"{"dim": 6.5}"#, saying: "'dim' must be a whole number")
    }

    func testTheRecipeIsNamedByItsFileAndItsBytesHash() throws {
        let bytes = Data(#"{"epochs": 3}"#.utf8)
        let recipe = try Recipe.parse(bytes, name: "short", file: "short.json")
        XCTAssertEqual(recipe.reference, RecipeReference(name: "short", sha256: SHA256.hexDigest(of: [UInt8](bytes))))
        XCTAssertEqual(recipe.sha256.count, 64)
    }

    func testUnknownKeysAndWrongValuesAreOneLineErrorsNamingTheKey() {
        assertRefused(#"{"lrr": 1e-3}"#, saying: "unknown key 'lrr'")
        assertRefused(#"{"lr": "fast"}"#, saying: "'lr' must be a number, got \"fast\"")
        assertRefused(#"{"epochs": 2.5}"#, saying: "'epochs' must be a whole number, got 2.5")
        assertRefused(#"{"epochs": true}"#, saying: "'epochs' must be a whole number, got true")
        assertRefused(#"{"loss": "hinge"}"#, saying: "'loss' must be one of ce, ")
        assertRefused(#"{"policy": 3}"#, saying: "'policy' must be one of none, ")
        assertRefused(#"{"preset": "huge"}"#, saying: "'preset' must be one of ")
        assertRefused(#"{"imbalance-ratio": 0.5}"#, saying: "'imbalance-ratio' must be at least 1, got 0.5")
        assertRefused(#"{"mix-off-epoch": "80"}"#, saying: "'mix-off-epoch' must be an epoch (0-based) or a share")
        assertRefused(#"{"adjust-from-epoch": "120%"}"#, saying: "'adjust-from-epoch' must be an epoch")
        assertRefused(#"{"ema": null}"#, saying: "'ema' must be a number, got null")
        assertRefused(#"["lr"]"#, saying: "not a JSON object of settings")
        assertRefused(#"{"lr": 1e-3"#, saying: "not a JSON object of settings")
    }

    func testSharesOfTheEpochsResolveAgainstTheRunsEpochs() throws {
        let recipe = try parse(#"{"loss": "balanced-softmax", "adjust-from-epoch": "80%", "mix-off-epoch": "80%", "mixup": 0.8}"#)
        for (epochs, deferred) in [(160, 128), (150, 120), (10, 8), (3, 2)] {
            var flags = Recipe.Values()
            flags.epochs = epochs
            let config = try flags.overriding(recipe.values).trainingConfig(seed: 1, data: DataSource(directory: "data"),
                                                                             recipe: recipe.reference)
            XCTAssertEqual(config.adjustFromEpoch, deferred)
            XCTAssertEqual(config.augmentationSettings?.mixOffEpoch, deferred)
            XCTAssertEqual(config.recipe, recipe.reference)
        }
    }

    func testFlagsWinOverTheRecipeAndTheRecipeOverTheDefaults() throws {
        let recipe = try parse(#"{"lr": 5e-4, "epochs": 160, "weight-decay": 0.03}"#)
        var flags = Recipe.Values()
        flags.lr = 2e-3
        let config = try flags.overriding(recipe.values).trainingConfig(seed: 1, data: DataSource(directory: "data"),
                                                                         recipe: recipe.reference)
        XCTAssertEqual(config.learningRate, 2e-3)      // the flag
        XCTAssertEqual(config.weightDecay, 0.03)       // the recipe
        XCTAssertEqual(config.epochs, 160)
        XCTAssertEqual(config.labelSmoothing, 0.1)     // the default
        XCTAssertEqual(config.batchSize, 128)
    }

    func testTheReferenceRecipesInTheRepositoryLoadByName() throws {
        // swift test runs in the package root, where recipes/ is.
        for name in ["cct-teacher", "cct-student"] {
            let recipe = try Recipe.load(name)
            XCTAssertEqual(recipe.name, name)
            XCTAssertEqual(recipe.values.preset, name)
            XCTAssertEqual(recipe.sha256, try Checkpoint.sha256(ofFile: "recipes/\(name).json"))
        }
        XCTAssertThrowsError(try Recipe.load("no-such-recipe")) { error in
            XCTAssertTrue("\(error)".contains("recipe 'no-such-recipe' not found"), "\(error)")
        }
        XCTAssertThrowsError(try Recipe.load("missing/file.json")) { error in
            XCTAssertTrue("\(error)".contains("missing/file.json: no such recipe file"), "\(error)")
        }
    }

    func testACheckpointsTrainingConfigKeepsItsRecipe() throws {
        var config = TrainingConfig()
        config.recipe = RecipeReference(name: "cct-teacher", sha256: String(repeating: "a", count: 64))
        let decoded = try JSONDecoder().decode(TrainingConfig.self, from: JSONEncoder().encode(config))
        XCTAssertEqual(decoded, config)
        var older = try JSONSerialization.jsonObject(with: JSONEncoder().encode(TrainingConfig())) as! [String: Any]
        older["recipe"] = nil
        let old = try JSONDecoder().decode(TrainingConfig.self, from: JSONSerialization.data(withJSONObject: older))
        XCTAssertNil(old.recipe, "files written before recipes decode without one")
    }
}
