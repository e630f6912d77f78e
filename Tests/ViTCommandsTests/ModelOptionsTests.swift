import Foundation
import XCTest
import ViTCore
@testable import ViTCommands
@testable import ViTStages

final class ModelOptionsTests: XCTestCase {
    private let narrow = try! Recipe.parse(Data(#"{"preset": "cct-student", "dim": 64, "depth": 2}"#.utf8),
                                           name: "narrow", file: "narrow.json")

    func testFlagsWinOverTheRecipesArchitectureWhichWinsOverItsPreset() throws {
        let fromRecipe = try ModelOptions.parse([]).config(recipe: narrow, defaultPreset: "teacher")
        XCTAssertEqual([fromRecipe.dim, fromRecipe.depth, fromRecipe.heads], [64, 2, 2], "cct-student, narrowed")
        let flagged = try ModelOptions.parse(["--depth", "3", "--heads", "4"]).config(recipe: narrow, defaultPreset: "teacher")
        XCTAssertEqual([flagged.dim, flagged.depth, flagged.heads], [64, 3, 4])
        // --preset replaces the recipe's preset; the recipe's changes still apply to it.
        let other = try ModelOptions.parse(["--preset", "cct-teacher"]).config(recipe: narrow, defaultPreset: "teacher")
        XCTAssertEqual([other.dim, other.depth, other.mlpDim], [64, 2, 512])
        XCTAssertEqual(try ModelOptions.parse([]).config(defaultPreset: "cct-student"), ModelConfig.preset(named: "cct-student"))
    }

    func testArchitectureFlagsAreSeenAsOverrides() throws {
        XCTAssertFalse(try ModelOptions.parse([]).overridesArchitecture)
        XCTAssertTrue(try ModelOptions.parse(["--drop-path", "0"]).overridesArchitecture)
        XCTAssertTrue(try ModelOptions.parse(["--preset", "student"]).overridesArchitecture)
        XCTAssertThrowsError(try ModelOptions.parse(["--preset", "huge"]).config()) { error in
            XCTAssertTrue("\(error)".contains("unknown preset 'huge'"), "\(error)")
        }
    }
}
