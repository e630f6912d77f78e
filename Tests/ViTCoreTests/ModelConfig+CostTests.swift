import XCTest
@testable import ViTCore

final class ModelConfigCostTests: XCTestCase {
    func testPresetsCostTheirDocumentedMultiplyAccumulates() {
        // cct-teacher by hand: conv 32^2*3*64*9 + 16^2*64*256*9 = 1,769,472 + 37,748,736;
        // 6 blocks of 64 * (256*768 + 256*256 + 2*256*512) + 2 * 64^2 * 256 = 33,554,432 + 2,097,152;
        // sequence pooling 64 * 256, head 256 * 10.
        let teacher = 1_769_472 + 37_748_736 + 6 * (33_554_432 + 2_097_152) + 64 * 256 + 2_560
        XCTAssertEqual(ModelConfig.cctTeacher.forwardMultiplyAccumulates, teacher)
        XCTAssertEqual(ModelConfig.cctTeacher.trainingFlops, 6 * Double(teacher))
        // The help text's rounded figures: 0.25 GMACs (cct-teacher), 0.050 (cct-student), 0.22 and 0.039 (plain ViTs).
        XCTAssertEqual(Double(ModelConfig.cctStudent.forwardMultiplyAccumulates) / 1e9, 0.050, accuracy: 0.001)
        XCTAssertEqual(Double(ModelConfig.teacher.forwardMultiplyAccumulates) / 1e9, 0.22, accuracy: 0.01)
        XCTAssertEqual(Double(ModelConfig.student.forwardMultiplyAccumulates) / 1e9, 0.039, accuracy: 0.001)
    }

    func testPrunedBlocksCostLess() {
        var pruned = ModelConfig.cctStudent
        pruned.blockHeads = [1, 1, 1, 1]
        pruned.blockMlpDims = [64, 64, 64, 64]
        XCTAssertLessThan(pruned.forwardMultiplyAccumulates, ModelConfig.cctStudent.forwardMultiplyAccumulates)
    }
}
