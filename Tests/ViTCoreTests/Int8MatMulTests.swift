import XCTest
@testable import ViTCore

final class Int8MatMulTests: XCTestCase {
    private func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in UInt8(generator.nextInt(below: 256)) }
    }

    /// Full-range weights where the CPU has VNNI; without it, the kernel is exact only for
    /// 7-bit weights (pairs of u8·s8 products add in 16 bits), which vitc then uses.
    private func randomWeights(_ n: Int, _ k: Int, seed: UInt64,
                               bound: Int = CPUCapabilities.current.vnni ? 127 : 64) -> Int8Weights {
        var generator = SeededGenerator(seed: seed)
        let values = (0..<n * k).map { _ in Int8(Int(generator.nextInt(below: 2 * bound + 1)) - bound) }
        return Int8Weights(values: values, outFeatures: n, inFeatures: k)
    }

    private func reference(_ m: Int, _ a: [UInt8], _ zeroPoint: Int32, _ w: Int8Weights) -> [Int32] {
        var c = [Int32](repeating: 0, count: m * w.outFeatures)
        w.values.withUnsafeBufferPointer { values in
            Int8MatMul.reference(rows: m, columns: w.outFeatures, depth: w.inFeatures, a: a, zeroPoint: zeroPoint,
                                 weights: values.baseAddress!, c: &c)
        }
        return c
    }

    func testAccumulatorsEqualTheIntegerReferenceExactly() {
        // Odd sizes (no multiple of the VNNI blocking) and the teacher's qkv and fc2 shapes.
        for (m, n, k, zeroPoint) in [(7, 5, 9, Int32(0)), (65, 96, 48, 128), (130, 768, 256, 37), (3, 256, 512, 255)] {
            let a = randomBytes(m * k, seed: UInt64(m)), w = randomWeights(n, k, seed: UInt64(n))
            var fast = [Int32](repeating: -1, count: m * n)
            Int8MatMul.accumulators(rows: m, a: a, zeroPoint: zeroPoint, weights: w, c: &fast)
            let slow = reference(m, a, zeroPoint, w)
            let mismatches = zip(fast, slow).filter { $0 != $1 }.count
            print("\(mismatches == 0 ? "OK" : "NOT OK") int8 accumulators [\(m), \(k)] x [\(n), \(k)]^T, zero point \(zeroPoint): \(mismatches) mismatches")
            XCTAssertEqual(fast, slow)
        }
    }

    func testScaledProductIsTheRescaledAccumulatorPlusBias() {
        let (m, n, k, zeroPoint) = (33, 40, 70, Int32(120))
        let a = randomBytes(m * k, seed: 1), w = randomWeights(n, k, seed: 2)
        let scales = (0..<n).map { Float($0 + 1) * 1e-4 }, bias = (0..<n).map { Float($0) * 0.1 - 2 }
        var fast = [Float](repeating: 0, count: m * n), unbiased = fast
        Int8MatMul.multiply(rows: m, a: a, zeroPoint: zeroPoint, weights: w, scales: scales, bias: bias, c: &fast)
        Int8MatMul.multiply(rows: m, a: a, zeroPoint: zeroPoint, weights: w, scales: scales, bias: nil, c: &unbiased)
        let acc = reference(m, a, zeroPoint, w)
        // Two float32 roundings (the product, then the sum): relative 2^-23 of the larger term.
        var worst = 0.0, worstUnbiased = 0.0
        for i in 0..<m {
            for j in 0..<n {
                let scaled = Double(scales[j]) * Double(acc[i * n + j])
                let allowance = 2.4e-7 * (abs(scaled) + abs(Double(bias[j]))) + 1e-7
                worst = max(worst, abs(Double(fast[i * n + j]) - scaled - Double(bias[j])) / allowance)
                worstUnbiased = max(worstUnbiased, abs(Double(unbiased[i * n + j]) - scaled) / allowance)
            }
        }
        print("\(max(worst, worstUnbiased) <= 1 ? "OK" : "NOT OK") scaled int8 product: largest difference \(worst) (no bias \(worstUnbiased)) of the float32 rounding allowance")
        XCTAssertLessThanOrEqual(worst, 1)
        XCTAssertLessThanOrEqual(worstUnbiased, 1)
    }

    func testFusedGELUAndResidualMatchTheirFloatDefinitions() {
        let (m, n, k, zeroPoint) = (20, 48, 64, Int32(90))
        let a = randomBytes(m * k, seed: 3), w = randomWeights(n, k, seed: 4)
        let scales = [Float](repeating: 2e-4, count: n), bias = (0..<n).map { Float($0) * 0.05 - 1 }
        let residual = randomTensor([m, n], seed: 5).data
        var fused = [Float](repeating: 0, count: m * n)
        Int8MatMul.multiply(rows: m, a: a, zeroPoint: zeroPoint, weights: w, scales: scales, bias: bias,
                            gelu: true, residual: residual, c: &fused)
        let acc = reference(m, a, zeroPoint, w)
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                let v = Double(scales[j]) * Double(acc[i * n + j]) + Double(bias[j])
                let expected = 0.5 * v * (1 + erf(v / 2.0.squareRoot())) + Double(residual[i * n + j])
                worst = max(worst, abs(Double(fused[i * n + j]) - expected))
            }
        }
        print("\(worst <= 1e-5 ? "OK" : "NOT OK") int8 product with fused GELU and residual: largest difference \(worst)")
        XCTAssertLessThanOrEqual(worst, 1e-5)
    }

    func testTheWeightsALayerRunsWithAreExactOnThisCPUEvenAtFullRange() {
        // Full-range weights and activations: the case a 16-bit pair sum would saturate.
        let (m, n, k) = (64, 32, 256)
        let full = randomWeights(n, k, seed: 11, bound: 127)
        let layer = QuantizedLinearWeights(values: full.values, weightScales: [Float](repeating: 0.01, count: n),
                                           shape: [n, k], input: nil)
        let runtime = layer.runtimeForm
        let a = (0..<m * k).map { UInt8($0 % 2 == 0 ? 255 : 250) }
        var fast = [Int32](repeating: 0, count: m * n)
        Int8MatMul.accumulators(rows: m, a: a, zeroPoint: 0, weights: runtime.weights, c: &fast)
        XCTAssertEqual(fast, reference(m, a, 0, runtime.weights))
        XCTAssertEqual(runtime.scales.first, CPUCapabilities.current.vnni ? 0.01 : 0.02)
    }

    func testSevenBitFormHalvesTheWeightsAndDoublesTheScales() {
        let weights = Int8Weights(values: [-127, -128, -3, 0, 1, 64, 127, 126], outFeatures: 2, inFeatures: 4)
        let (halved, scales) = QuantizedLinearWeights.sevenBitForm(weights, [0.5, 0.25])
        XCTAssertEqual(halved.values, [-64, -64, -2, 0, 0, 32, 64, 63])
        XCTAssertEqual(scales, [1.0, 0.5])
        XCTAssertTrue(halved.values.allSatisfy { abs(Int($0)) <= 64 }, "2 x 255 x 64 = 32,640 fits in 16 bits")
    }

    func testOneLayerServesSeveralBatchSizes() {
        // The reordered weights are cached per layout; a second row count must not reuse a wrong one.
        let w = randomWeights(64, 32, seed: 5)
        for m in [1, 17, 256] {
            let a = randomBytes(m * 32, seed: UInt64(m) + 9)
            var fast = [Int32](repeating: 0, count: m * 64)
            Int8MatMul.accumulators(rows: m, a: a, zeroPoint: 3, weights: w, c: &fast)
            XCTAssertEqual(fast, reference(m, a, 3, w), "rows \(m)")
        }
    }
}
