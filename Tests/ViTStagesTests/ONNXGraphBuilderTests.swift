import Foundation
import XCTest
@testable import ViTStages

final class ONNXGraphBuilderTests: XCTestCase {
    func testNamesAreMadeUniqueBySuffix() {
        var builder = ONNXGraphBuilder()
        XCTAssertEqual(builder.uniqueName("x"), "x")
        XCTAssertEqual(builder.uniqueName("x"), "x_2")
        XCTAssertEqual(builder.uniqueName("x"), "x_3")
        XCTAssertEqual(builder.constant("x", floats: [1], shape: []), "x_4")
    }

    func testInitializersAreRawLittleEndianWithTheirShape() {
        var builder = ONNXGraphBuilder()
        _ = builder.constant("f", floats: [1, -2], shape: [2, 1])
        _ = builder.constant("i", int64s: [1, -1], shape: [2])
        _ = builder.constant("q", int8s: [-127, 5], shape: [1, 2])
        _ = builder.constant("u", uint8s: [255], shape: [])
        let tensors = builder.initializers
        XCTAssertEqual(tensors.map(\.name), ["f", "i", "q", "u"])
        XCTAssertEqual(tensors.map(\.dataType), [1, 7, 3, 2])  // FLOAT, INT64, INT8, UINT8
        XCTAssertEqual(tensors.map(\.dims), [[2, 1], [2], [1, 2], []])
        XCTAssertEqual([UInt8](tensors[0].rawData), [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0])
        XCTAssertEqual([UInt8](tensors[1].rawData), [1, 0, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0xFF, count: 8))
        XCTAssertEqual([UInt8](tensors[2].rawData), [0x81, 0x05])
        XCTAssertEqual([UInt8](tensors[3].rawData), [0xFF])
    }

    func testNodesKeepTheirOrderInputsAndTypedAttributes() {
        var builder = ONNXGraphBuilder()
        let a = builder.node("Relu", ["x"], name: "a")
        let b = builder.node("Softmax", [a], name: "a", attributes: [.int("axis", -1)])
        let parts = builder.node("DynamicQuantizeLinear", [b], outputs: ["q", "s", "z"])
        XCTAssertEqual([a, b], ["a", "a_2"])
        XCTAssertEqual(parts, ["q", "s", "z"])
        XCTAssertEqual(builder.nodes.map(\.opType), ["Relu", "Softmax", "DynamicQuantizeLinear"])
        XCTAssertEqual(builder.nodes[1].input, ["a"])
        let attribute = builder.nodes[1].attribute[0]
        XCTAssertEqual(attribute.name, "axis")
        XCTAssertEqual(attribute.type, .int)
        XCTAssertEqual(attribute.i, -1)
        let list = ONNXAttribute.ints("perm", [0, 2, 1]).proto
        XCTAssertEqual(list.type, .ints)
        XCTAssertEqual(list.ints, [0, 2, 1])
        let float = ONNXAttribute.float("epsilon", 1e-6).proto
        XCTAssertEqual(float.type, .float)
        XCTAssertEqual(float.f, 1e-6)
    }

    func testGraphRoundTripsThroughProtobufWithASymbolicBatch() throws {
        var builder = ONNXGraphBuilder()
        let w = builder.constant("w", floats: [2], shape: [1])
        builder.node("Mul", ["x", w], name: "y")
        let input = ONNXGraphBuilder.valueInfo("x", type: .float, shape: [.symbolic("N"), .fixed(1)])
        let output = ONNXGraphBuilder.valueInfo("y", type: .float, shape: [.symbolic("N"), .fixed(1)])
        var model = Onnx_ModelProto()
        model.irVersion = 8
        model.graph = builder.graph(name: "g", inputs: [input], outputs: [output])
        let bytes: Data = try model.serializedBytes()
        let decoded = try Onnx_ModelProto(serializedBytes: bytes)
        XCTAssertEqual(decoded.irVersion, 8)
        XCTAssertEqual(decoded.graph.node.map(\.opType), ["Mul"])
        XCTAssertEqual(decoded.graph.initializer.map(\.name), ["w"])
        XCTAssertEqual(decoded.graph.input[0].type.tensorType.shape.dim.map(\.dimParam), ["N", ""])
        XCTAssertEqual(decoded.graph.input[0].type.tensorType.shape.dim.map(\.dimValue), [0, 1])
        // ModelProto.graph is field 7 (a length-delimited field: tag 7 << 3 | 2 = 0x3A), ir_version field 1 (0x08).
        XCTAssertEqual(Array(bytes.prefix(3)), [0x08, 0x08, 0x3A])
    }
}
