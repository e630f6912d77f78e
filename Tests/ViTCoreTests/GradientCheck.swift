import XCTest
@testable import ViTCore

/// A fixed random tensor, for probe losses L = sum(y * G) (a plain sum hides bugs in
/// LayerNorm and softmax, whose outputs sum to constants).
func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in generator.nextNormal() * scale })
}

func probeLoss(_ y: Tensor, _ probe: Tensor) -> Double {
    zip(y.data, probe.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
}

/// Compares analytic gradients with central differences at up to `samples` indices.
/// `perturb(i, delta)` adds delta to element i of whatever is being differentiated.
func assertGradient(_ label: String, analytic: [Float], perturb: (Int, Float) -> Void, loss: () -> Double,
                    samples: Int = 24, epsilon: Float = 1e-2, tolerance: Double = 2e-2,
                    file: StaticString = #filePath, line: UInt = #line) {
    let stride = max(1, analytic.count / samples)
    var worst = 0.0
    for i in Swift.stride(from: 0, to: analytic.count, by: stride) {
        perturb(i, epsilon)
        let plus = loss()
        perturb(i, -2 * epsilon)
        let minus = loss()
        perturb(i, epsilon)
        let numeric = (plus - minus) / (2 * Double(epsilon))
        let error = abs(numeric - Double(analytic[i])) / max(1e-1, abs(numeric) + abs(Double(analytic[i])))
        worst = max(worst, error)
    }
    print("\(worst <= tolerance ? "OK" : "NOT OK") \(label): largest relative difference \(worst)")
    XCTAssertLessThanOrEqual(worst, tolerance, "\(label) gradient", file: file, line: line)
}

/// Checks the gradient of every parameter in `parameters` for a loss that recomputes the forward.
func assertParameterGradients(_ parameters: [Parameter], loss: () -> Double, tolerance: Double = 2e-2,
                              file: StaticString = #filePath, line: UInt = #line) {
    for parameter in parameters {
        let analytic = parameter.gradient.data
        assertGradient(parameter.name, analytic: analytic,
                       perturb: { i, delta in parameter.value.data[i] += delta },
                       loss: loss, tolerance: tolerance, file: file, line: line)
    }
}

func makeParameter(_ name: String, _ shape: [Int], seed: UInt64, scale: Float = 0.5) -> Parameter {
    Parameter(name: name, value: randomTensor(shape, seed: seed, scale: scale), decays: true)
}
