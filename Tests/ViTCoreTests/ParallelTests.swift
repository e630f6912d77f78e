import XCTest
@testable import ViTCore

final class ParallelTests: XCTestCase {
    func testSingleThreadedRunsOnOneWorkerAndRestoresTheCountEvenWhenNested() {
        let outside = workerCount
        singleThreaded {
            XCTAssertEqual(workerCount, 1)
            singleThreaded { XCTAssertEqual(workerCount, 1) }
            XCTAssertEqual(workerCount, 1)
        }
        XCTAssertEqual(workerCount, outside)
        XCTAssertEqual(outside, configuredWorkerCount)
    }

    func testParallelRangesCoverEveryIndexOnceInsideAndOutside() {
        for run in [{ (body: () -> Void) in body() }, { (body: () -> Void) in singleThreaded(body) }] {
            var seen = [Int](repeating: 0, count: 100_000)
            run {
                seen.withUnsafeMutableBufferPointer { buffer in
                    parallelRanges(buffer.count, minimumPerWorker: 1000) { range in
                        for i in range { buffer[i] += 1 }
                    }
                }
            }
            XCTAssertTrue(seen.allSatisfy { $0 == 1 })
        }
    }

    func testSmallInferenceIsJudgedByTheWorkItTakes() throws {
        let teacher = try VisionTransformer(config: .teacher, seed: 0)
        let student = try VisionTransformer(config: .student, seed: 0)
        XCTAssertTrue(student.isSmallInference(batch: 1, precision: .f32))
        XCTAssertFalse(student.isSmallInference(batch: 256, precision: .f32))
        XCTAssertFalse(teacher.isSmallInference(batch: 1, precision: .f32), "the teacher's f32 batch 1 gains from two threads")
        XCTAssertTrue(teacher.isSmallInference(batch: 1, precision: .bf16))
    }
}
