import XCTest
@testable import ViTCommands
import ViTCore
import ViTStages

final class TrainingOptionsTests: XCTestCase {
    private func config(_ training: [String], data: [String] = []) throws -> TrainingConfig {
        let options = try TrainingOptions.parse(training)
        return try options.config(data: try DataOptions.parse(data), recipe: options.loadRecipe())
    }

    func testARecipeSetsTheRunAndFlagsGivenBesideItWin() throws {
        let teacher = try config(["--recipe", "cct-teacher"])
        XCTAssertEqual(teacher.epochs, 160)
        XCTAssertEqual(teacher.imbalanceRatio, 100, "the reference recipes are long-tailed")
        XCTAssertEqual(teacher.adjustFromEpoch, 128)
        XCTAssertEqual(teacher.recipe?.name, "cct-teacher")
        let changed = try config(["--recipe", "cct-teacher", "--epochs", "40", "--lr", "1e-3"],
                                 data: ["--imbalance-ratio", "1"])
        XCTAssertEqual(changed.epochs, 40)
        XCTAssertEqual(changed.adjustFromEpoch, 32, "the recipe's share of the flag's epochs")
        XCTAssertEqual(changed.learningRate, 1e-3)
        XCTAssertEqual(changed.imbalanceRatio, 1, "the data flag wins over the recipe")
        XCTAssertEqual(changed.weightDecay, 0.03)
    }

    func testWithoutARecipeTheDefaultsAreTheFormerOnes() throws {
        let plain = try config([])
        XCTAssertNil(plain.recipe)
        XCTAssertEqual(plain.epochs, 30)
        XCTAssertEqual(plain.batchSize, 128)
        XCTAssertEqual(plain.learningRate, 1e-3)
        XCTAssertEqual(plain.weightDecay, 0.05)
        XCTAssertEqual(plain.warmupEpochs, 5)
        XCTAssertEqual(plain.loss, .ce)
        XCTAssertEqual(plain.imbalanceRatio, 1)
        XCTAssertNil(plain.augmentationSettings)
    }
}
