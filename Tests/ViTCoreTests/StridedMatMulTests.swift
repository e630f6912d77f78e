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

    func testBFloat16HeadMajorProductsMatchTheReferenceOnTheSameBits() throws {
        try XCTSkipUnless(CPUCapabilities.current.nativeBFloat16, "no native bf16 here (\(CPUCapabilities.current.isa))")
        // S = q k^T on dense head-major [B, H, N, Dh] copies, then O = P v written token-major.
        let (b, h, n, dh) = (2, 3, 16, 32)
        let dense = StridedOperand([h * n * dh, n * dh, dh, 1]), denseT = StridedOperand([h * n * dh, n * dh, 1, dh])
        let square = StridedOperand([h * n * n, n * n, n, 1])
        let merged = StridedOperand([n * h * dh, dh, h * dh, 1])
        let shapes = [
            (StridedMatMulShape(batch: [b, h], m: n, n: n, k: dh, a: dense, b: denseT, c: square, inputsInBFloat16: true),
             b * h * n * dh, b * h * n * dh, b * h * n * n),
            (StridedMatMulShape(batch: [b, h], m: n, n: dh, k: n, a: square, b: dense, c: merged, inputsInBFloat16: true),
             b * h * n * n, b * h * n * dh, b * n * h * dh),
        ]
        for (index, (shape, countA, countB, countC)) in shapes.enumerated() {
            var bitsA = [UInt16](repeating: 0, count: countA), bitsB = [UInt16](repeating: 0, count: countB)
            convertToBFloat16(randomTensor([countA], seed: UInt64(10 + index)).data, &bitsA, count: countA)
            convertToBFloat16(randomTensor([countB], seed: UInt64(20 + index)).data, &bitsB, count: countB)
            var fast = [Float](repeating: 0, count: countC), slow = fast
            MatMul.multiply(shape, a: bitsA, b: bitsB, c: &fast)
            MatMul.reference(shape, a: bitsA, b: bitsB, aCount: countA, bCount: countB, c: &slow)
            let worst = zip(fast, slow).map { abs($0 - $1) }.max()!
            print("\(worst < 1e-4 ? "OK" : "NOT OK") bf16 strided product (\(MatMul.implementation(of: shape))): largest difference \(worst)")
            XCTAssertLessThan(worst, 1e-4)  // products of bf16 values are exact in f32; only the sums round
            // Written in bf16 by the product: the bits of rounding its f32 output.
            var roundedShape = shape
            roundedShape.outputInBFloat16 = true
            var written = [UInt16](repeating: 0, count: countC), rounded = written
            MatMul.multiply(roundedShape, a: bitsA, b: bitsB, c: &written)
            convertToBFloat16(fast, &rounded, count: countC)
            XCTAssertEqual(written, rounded, "shape \(index) written in bf16")
        }
    }
}
