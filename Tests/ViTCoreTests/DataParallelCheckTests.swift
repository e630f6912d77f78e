import XCTest
@testable import ViTCore

final class DataParallelCheckTests: XCTestCase {
    func testOneProcessAcceptsEverything() throws {
        var config = tinyModelConfig()
        config.norm = .batch
        XCTAssertNoThrow(try DataParallelCheck.check(model: config, batchSize: 1, loss: .ohem, ranks: 1))
    }

    func testSeveralProcessesRefuseBatchStatisticsOHEMAndBatchesSmallerThanTheRanks() {
        var batchNorm = tinyModelConfig()
        batchNorm.norm = .batch
        for (model, batch, loss, word) in [(batchNorm, 8, LossKind.ce, "--norm batch"),
                                           (tinyModelConfig(), 8, .ohem, "--loss ohem"),
                                           (tinyModelConfig(), 1, .ce, "--batch-size 1")] {
            XCTAssertThrowsError(try DataParallelCheck.check(model: model, batchSize: batch, loss: loss, ranks: 2)) {
                XCTAssertTrue("\($0)".hasPrefix(word), "\($0)")
                XCTAssertFalse("\($0)".contains("\n"))
            }
        }
        XCTAssertNoThrow(try DataParallelCheck.check(model: tinyModelConfig(), batchSize: 2, loss: .ce, ranks: 2))
    }
}
