import CDNNL
import XCTest
@testable import ViTCore

final class ReorderTests: XCTestCase {
    private func blockedDesc(_ dims: [Int]) -> dnnl_memory_desc_t {
        var desc = dnnl_memory_desc_t()
        XCTAssertEqual(dnnl_memory_desc_init_by_tag(&desc, 4, dims.map(Int64.init), dnnl_f32, dnnl_OIhw8i8o), dnnl_success)
        return desc
    }

    func testTheSameLayoutNeedsNoReorder() {
        let plain = CompiledPrimitive.plainDesc([4, 3, 3, 3])
        XCTAssertNil(CompiledReorder(from: plain, to: plain, what: "test"))
    }

    func testBlockedWeightsComeBackUnchangedAndPadded() throws {
        // 12 outputs, 5 inputs: both padded to 16 in 8x8 blocks, so the blocked copy is larger.
        let dims = [12, 5, 3, 3]
        let plain = CompiledPrimitive.plainDesc(dims), blocked = blockedDesc(dims)
        let there = try XCTUnwrap(CompiledReorder(from: plain, to: blocked, what: "test"))
        let back = try XCTUnwrap(CompiledReorder(from: blocked, to: plain, what: "test"))
        XCTAssertEqual(there.sourceBytes, 12 * 5 * 9 * 4)
        XCTAssertEqual(there.destinationBytes, 16 * 8 * 9 * 4)
        let weights = randomTensor(dims, seed: 1)
        var packed = [Float](repeating: .nan, count: there.destinationBytes / 4)
        var restored = [Float](repeating: .nan, count: weights.count)
        weights.data.withUnsafeBytes { source in
            packed.withUnsafeMutableBytes { there.run(from: source.baseAddress!, to: $0.baseAddress!) }
        }
        XCTAssertNotEqual(Array(packed.prefix(weights.count)), weights.data)  // the order really changed
        packed.withUnsafeBytes { source in
            restored.withUnsafeMutableBytes { back.run(from: source.baseAddress!, to: $0.baseAddress!) }
        }
        XCTAssertEqual(restored, weights.data)
    }
}
