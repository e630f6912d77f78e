import Foundation

/// One attribute of an ONNX node, typed (ONNX's AttributeType, the subset vit-export uses).
enum ONNXAttribute {
    case int(String, Int)
    case ints(String, [Int])
    case float(String, Float)

    var proto: Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        switch self {
        case .int(let name, let value):
            attribute.name = name
            attribute.type = .int
            attribute.i = Int64(value)
        case .ints(let name, let values):
            attribute.name = name
            attribute.type = .ints
            attribute.ints = values.map { Int64($0) }
        case .float(let name, let value):
            attribute.name = name
            attribute.type = .float
            attribute.f = value
        }
        return attribute
    }
}

/// Collects an ONNX graph's nodes and initializers in the order they are added (ONNX wants
/// nodes sorted topologically, which adding them in forward order gives). Every value gets a
/// unique name: `node` and the constants return the name to pass to the next node.
struct ONNXGraphBuilder {
    private(set) var nodes: [Onnx_NodeProto] = []
    private(set) var initializers: [Onnx_TensorProto] = []
    private var usedNames: Set<String> = []

    /// `name`, or `name_2`, `name_3`, ... when taken: value names must be unique in a graph.
    mutating func uniqueName(_ name: String) -> String {
        var candidate = name, suffix = 1
        while usedNames.contains(candidate) {
            suffix += 1
            candidate = "\(name)_\(suffix)"
        }
        usedNames.insert(candidate)
        return candidate
    }

    /// Adds a node with one output named after `name`; returns that output's name.
    @discardableResult
    mutating func node(_ opType: String, _ inputs: [String], name: String,
                       attributes: [ONNXAttribute] = []) -> String {
        node(opType, inputs, outputs: [name], attributes: attributes)[0]
    }

    /// Adds a node with several outputs (named after `outputs`); returns their names.
    mutating func node(_ opType: String, _ inputs: [String], outputs: [String],
                       attributes: [ONNXAttribute] = []) -> [String] {
        var node = Onnx_NodeProto()
        node.opType = opType
        node.input = inputs
        node.output = outputs.map { uniqueName($0) }
        node.name = node.output[0]
        node.attribute = attributes.map(\.proto)
        nodes.append(node)
        return node.output
    }

    /// A float32 initializer (raw little-endian bytes); returns its name.
    mutating func constant(_ name: String, floats: [Float], shape: [Int]) -> String {
        addInitializer(name, type: .float, shape: shape, count: floats.count,
                       bytes: floats.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })
    }

    mutating func constant(_ name: String, int64s: [Int], shape: [Int]) -> String {
        addInitializer(name, type: .int64, shape: shape, count: int64s.count,
                       bytes: int64s.flatMap { withUnsafeBytes(of: Int64($0).littleEndian, Array.init) })
    }

    mutating func constant(_ name: String, int8s: [Int8], shape: [Int]) -> String {
        addInitializer(name, type: .int8, shape: shape, count: int8s.count, bytes: int8s.map { UInt8(bitPattern: $0) })
    }

    mutating func constant(_ name: String, uint8s: [UInt8], shape: [Int]) -> String {
        addInitializer(name, type: .uint8, shape: shape, count: uint8s.count, bytes: uint8s)
    }

    /// A float32 scalar (shape []).
    mutating func scalar(_ name: String, _ value: Float) -> String {
        constant(name, floats: [value], shape: [])
    }

    private mutating func addInitializer(_ name: String, type: Onnx_TensorProto.DataType, shape: [Int], count: Int,
                                         bytes: [UInt8]) -> String {
        precondition(shape.reduce(1, *) == count, "ONNXGraphBuilder: \(name) has \(count) values for shape \(shape)")
        var tensor = Onnx_TensorProto()
        tensor.name = uniqueName(name)
        tensor.dataType = Int32(type.rawValue)
        tensor.dims = shape.map { Int64($0) }
        tensor.rawData = Data(bytes)
        initializers.append(tensor)
        return tensor.name
    }

    /// The graph with its inputs and outputs declared.
    func graph(name: String, inputs: [Onnx_ValueInfoProto], outputs: [Onnx_ValueInfoProto]) -> Onnx_GraphProto {
        var graph = Onnx_GraphProto()
        graph.name = name
        graph.node = nodes
        graph.initializer = initializers
        graph.input = inputs
        graph.output = outputs
        return graph
    }

    /// A tensor's name, element type and shape; a dimension is a number or a symbolic name ("N").
    static func valueInfo(_ name: String, type: Onnx_TensorProto.DataType, shape: [ONNXDimension]) -> Onnx_ValueInfoProto {
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = Int32(type.rawValue)
        tensorType.shape.dim = shape.map { dimension in
            var proto = Onnx_TensorShapeProto.Dimension()
            switch dimension {
            case .fixed(let size): proto.dimValue = Int64(size)
            case .symbolic(let parameter): proto.dimParam = parameter
            }
            return proto
        }
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type.tensorType = tensorType
        return info
    }
}

enum ONNXDimension: Equatable {
    case fixed(Int)
    case symbolic(String)
}
