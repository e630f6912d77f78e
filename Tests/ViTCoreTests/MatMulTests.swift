import XCTest
@testable import ViTCore

final class MatMulTests: XCTestCase {
    private func compare(_ shape: MatMulShape, bias: Bool = false, accumulate: Bool = false,
                         precision: Precision = .f32, tolerance: Float) {
        let a = randomTensor([shape.batch * shape.m * shape.k], seed: 1)
        let b = randomTensor([shape.batch * shape.k * shape.n], seed: 2)
        let biasValues = randomTensor([shape.n], seed: 3)
        let start = randomTensor([shape.batch * shape.m * shape.n], seed: 4)
        var fast = start.data, slow = start.data
        let biasPointer = bias ? biasValues.data : nil
        a.data.withUnsafeBufferPointer { pa in
            b.data.withUnsafeBufferPointer { pb in
                let pBias = biasPointer?.withUnsafeBufferPointer { $0.baseAddress! }
                _ = pBias
                biasValues.data.withUnsafeBufferPointer { pc in
                    MatMul.multiply(shape, a: pa.baseAddress!, b: pb.baseAddress!, c: &fast,
                                    bias: bias ? pc.baseAddress! : nil, accumulate: accumulate, precision: precision)
                    MatMul.reference(shape, a: pa.baseAddress!, b: pb.baseAddress!, c: &slow,
                                     bias: bias ? pc.baseAddress! : nil, accumulate: accumulate)
                }
            }
        }
        let worst = zip(fast, slow).map { abs($0 - $1) }.max()!
        print("\(worst <= tolerance ? "OK" : "NOT OK") matmul \(shape) \(precision): largest difference \(worst)")
        XCTAssertLessThanOrEqual(worst, tolerance)
    }

    func testPlainProductMatchesReference() {
        compare(MatMulShape(m: 7, n: 5, k: 9), tolerance: 1e-4)
    }

    func testTransposedOperandsMatchReference() {
        compare(MatMulShape(m: 6, n: 4, k: 3, transposeA: true), tolerance: 1e-4)
        compare(MatMulShape(m: 6, n: 4, k: 3, transposeB: true), tolerance: 1e-4)
        compare(MatMulShape(m: 6, n: 4, k: 3, transposeA: true, transposeB: true), tolerance: 1e-4)
    }

    func testBatchedProductBiasAndAccumulationMatchReference() {
        compare(MatMulShape(batch: 3, m: 5, n: 6, k: 7), tolerance: 1e-4)
        compare(MatMulShape(m: 5, n: 6, k: 7), bias: true, tolerance: 1e-4)
        compare(MatMulShape(m: 5, n: 6, k: 7, transposeA: true), accumulate: true, tolerance: 1e-4)
    }

    func testBFloat16ProductStaysWithinRoundingOfReference() throws {
        try XCTSkipUnless(CPUCapabilities.current.nativeBFloat16,
                          "no native bf16 here (\(CPUCapabilities.current.isa)): CPUCapabilitiesTests check the refusal")
        // Each bf16 input carries a relative error up to 2^-8; sums of 64 unit products stay within ~0.5.
        compare(MatMulShape(m: 16, n: 16, k: 64, transposeB: true), precision: .bf16, tolerance: 0.5)
    }
}
