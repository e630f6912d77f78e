import XCTest
@testable import ViTCore

final class GradualPruningTests: XCTestCase {
    func testCubicScheduleFollowsZhuAndGupta() {
        let schedule = CubicSparsitySchedule(finalSparsity: 0.8, steps: 10, interval: 1)
        XCTAssertEqual(schedule.sparsity(atStep: 0), 0)
        XCTAssertEqual(schedule.sparsity(atStep: 5), 0.8 * (1 - 0.125), accuracy: 1e-12)
        XCTAssertEqual(schedule.sparsity(atStep: 2), 0.8 * (1 - 0.512), accuracy: 1e-12)
        XCTAssertEqual(schedule.sparsity(atStep: 10), 0.8, accuracy: 1e-12)
        XCTAssertEqual(schedule.sparsity(atStep: 25), 0.8, accuracy: 1e-12)
        let values = (0...10).map(schedule.sparsity(atStep:))
        XCTAssertEqual(values, values.sorted())
        // Fast at first, slow at the end: the first step adds more than the last.
        XCTAssertGreaterThan(values[1] - values[0], values[10] - values[9])
    }

    func testMasksChangeEveryIntervalAndTheLastIntervalTrainsAtTheTarget() {
        let schedule = CubicSparsitySchedule(finalSparsity: 0.5, steps: 10, interval: 4)
        let targets = (0..<14).map(schedule.target(beforeStep:))
        XCTAssertEqual(targets.indices.filter { targets[$0] != nil }, [0, 4, 8])
        XCTAssertEqual(targets[0]!, schedule.sparsity(atStep: 4), accuracy: 1e-12)
        XCTAssertEqual(targets[8]!, 0.5, accuracy: 1e-12)
    }

    func testGradualPruningRisesMonotonicallyToTheExactTarget() {
        let parameter = makeParameter("blocks.0.mlp.fc1.weight", [10, 20], seed: 4)
        let pruning = GradualPruning(parameters: [parameter],
                                     schedule: CubicSparsitySchedule(finalSparsity: 0.6, steps: 7, interval: 2),
                                     scope: .layer)
        XCTAssertEqual(pruning.sparsity, 0)
        var previous = Set<Int>(), levels: [Double] = []
        for _ in 0..<9 {
            pruning.beforeStep()
            let masked = Set(parameter.mask!.data.indices.filter { parameter.mask!.data[$0] == 0 })
            XCTAssertTrue(previous.isSubset(of: masked))
            previous = masked
            levels.append(pruning.sparsity)
        }
        XCTAssertEqual(levels, levels.sorted())
        XCTAssertEqual(pruning.step, 9)
        XCTAssertEqual(levels.last!, 0.6, accuracy: 1e-12)
        XCTAssertEqual(levels[6], 0.6, accuracy: 1e-12)  // the update before step 6 reaches s(7) = S
    }
}
