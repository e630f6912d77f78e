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

    func testGELUEpilogueWritesTheRoundedGELUOfTheBFloat16Product() throws {
        try XCTSkipUnless(CPUCapabilities.current.nativeBFloat16, "no native bf16 here (\(CPUCapabilities.current.isa))")
        // The twin: the same bf16-rounded inputs multiplied in Double, plus the bias, exact GELU
        // (erf), rounded to bf16. The fast one accumulates in f32 and evaluates oneDNN's erf, so
        // a value may land one bf16 step (2^-8 relative) away, never more.
        let shape = MatMulShape(m: 24, n: 40, k: 48, transposeB: true)
        let a = randomTensor([shape.m * shape.k], seed: 1), b = randomTensor([shape.n * shape.k], seed: 2)
        let bias = randomTensor([shape.n], seed: 3)
        let (roundedA, roundedB) = (a.roundedToBFloat16(), b.roundedToBFloat16())
        var fast = [UInt16](repeating: 0, count: shape.m * shape.n)
        roundedA.withUnsafeBufferPointer { pa in
            roundedB.withUnsafeBufferPointer { pb in
                bias.data.withUnsafeBufferPointer { pBias in
                    MatMul.multiplyGELURounded(shape, a: .bfloat16(pa.baseAddress!), b: .bfloat16(pb.baseAddress!),
                                               c: &fast, bias: pBias.baseAddress!)
                }
            }
        }
        let value = { (bits: UInt16) in Double(Float(bitPattern: UInt32(bits) << 16)) }
        var worst = 0.0
        for i in 0..<shape.m {
            for j in 0..<shape.n {
                var sum = Double(bias.data[j])
                for p in 0..<shape.k { sum += value(roundedA[i * shape.k + p]) * value(roundedB[j * shape.k + p]) }
                let gelu = 0.5 * sum * (1 + erf(sum / 2.0.squareRoot()))
                let expected = value(roundedToBFloat16(Float(gelu)))
                worst = max(worst, abs(value(fast[i * shape.n + j]) - expected) / max(abs(expected), 1e-3))
            }
        }
        print("\(worst <= 1.0 / 128 ? "OK" : "NOT OK") matmul with GELU epilogue: largest relative difference \(worst)")
        XCTAssertLessThanOrEqual(worst, 1.0 / 128)
    }
}
