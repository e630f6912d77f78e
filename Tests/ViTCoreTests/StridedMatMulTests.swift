import XCTest
@testable import ViTCore

final class StridedMatMulTests: XCTestCase {
    // Attention's layout: qkv [B, N, 3E] with E = H * Dh; q for (b, h, n, d) at b*N*3E + n*3E + h*Dh + d.
    private let (batch, tokens, heads, headWidth) = (2, 5, 3, 4)
    private var width: Int { heads * headWidth }

    private func qkvStrides() -> [Int] { [tokens * 3 * width, headWidth, 3 * width, 1] }

    private func check(_ shape: StridedMatMulShape, aOffset: Int, bOffset: Int, a: [Float], b: [Float], outputCount: Int) {
        var fast = [Float](repeating: 0, count: outputCount), slow = fast
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                MatMul.multiply(shape, a: pa.baseAddress! + aOffset, b: pb.baseAddress! + bOffset, c: &fast)
                MatMul.reference(shape, a: pa.baseAddress! + aOffset, b: pb.baseAddress! + bOffset, c: &slow)
            }
        }
        let worst = zip(fast, slow).map { abs($0 - $1) }.max()!
        print("\(worst < 1e-4 ? "OK" : "NOT OK") strided product (\(MatMul.implementation(of: shape))): largest difference \(worst)")
        XCTAssertLessThan(worst, 1e-4)
    }

    func testQueryTimesKeyTransposedReadStraightFromTheFusedProjection() {
        let qkv = randomTensor([batch * tokens * 3 * width], seed: 1).data
        let strides = qkvStrides()
        let keyTransposed = StridedOperand([strides[0], strides[1], 1, strides[2]])
        let shape = StridedMatMulShape(batch: [batch, heads], m: tokens, n: tokens, k: headWidth,
                                       a: StridedOperand(strides), b: keyTransposed,
                                       c: StridedOperand([heads * tokens * tokens, tokens * tokens, tokens, 1]))
        check(shape, aOffset: 0, bOffset: width, a: qkv, b: qkv, outputCount: batch * heads * tokens * tokens)
    }

    func testProbabilitiesTimesValuesWriteTokenMajorOutput() {
        let probabilities = randomTensor([batch * heads * tokens * tokens], seed: 2).data
        let qkv = randomTensor([batch * tokens * 3 * width], seed: 3).data
        let merged = StridedOperand([tokens * width, headWidth, width, 1])  // [B, N, E] seen as [B, H, N, Dh]
        let shape = StridedMatMulShape(batch: [batch, heads], m: tokens, n: headWidth, k: tokens,
                                       a: StridedOperand([heads * tokens * tokens, tokens * tokens, tokens, 1]),
                                       b: StridedOperand(qkvStrides()), c: merged)
        check(shape, aOffset: 0, bOffset: 2 * width, a: probabilities, b: qkv, outputCount: batch * tokens * width)
    }

    func testTeacherSizedAttentionProductsUseAJITKernel() {
        let (b, n, h, dh) = (128, 65, 8, 32), e = h * dh
        let shape = StridedMatMulShape(batch: [b, h], m: n, n: n, k: dh,
                                       a: StridedOperand([n * 3 * e, dh, 3 * e, 1]),
                                       b: StridedOperand([n * 3 * e, dh, 1, 3 * e]),
                                       c: StridedOperand([h * n * n, n * n, n, 1]))
        let name = MatMul.implementation(of: shape)
        print("teacher-sized q k^T runs on \(name)")
        XCTAssertFalse(name.hasPrefix("ref"), "oneDNN fell back to its reference kernel: \(name)")
    }
}

extension StridedMatMulTests {
    func testReportKernelsOfDenseAndStridedAttentionProducts() {
        let (b, n, h, dh) = (256, 65, 8, 32)
        print("dense q k^T: \(MatMul.implementation(of: MatMulShape(batch: b * h, m: n, n: n, k: dh, transposeB: true)))")
        print("dense P v: \(MatMul.implementation(of: MatMulShape(batch: b * h, m: n, n: dh, k: n)))")
        print("linear fc1: \(MatMul.implementation(of: MatMulShape(m: b * n, n: 512, k: 256, transposeB: true)))")
        guard CPUCapabilities.current.nativeBFloat16 else { return }
        print("linear fc1 bf16: \(MatMul.implementation(of: MatMulShape(m: b * n, n: 512, k: 256, transposeB: true), precision: .bf16))")
        print("linear dW bf16: \(MatMul.implementation(of: MatMulShape(m: 512, n: 256, k: b * n, transposeA: true), precision: .bf16))")
    }
}
