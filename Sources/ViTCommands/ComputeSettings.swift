import ArgumentParser
import ViTCore

extension PrecisionChoice: ExpressibleByArgument {}

/// What the tools say and record about the hardware a run used: oneDNN's ISA and the precision
/// chosen, printed at start-up and stored in the checkpoint's config under "compute".
public struct ComputeSettings: Codable, Equatable, Sendable {
    public var isa: String
    public var nativeBFloat16: Bool
    public var vnni: Bool
    public var requested: PrecisionChoice
    public var precision: Precision

    enum CodingKeys: String, CodingKey {
        case isa, nativeBFloat16 = "native_bf16", vnni, requested = "precision_requested", precision
    }

    /// Resolves `choice` on this CPU (refusing bf16 where it is not native, int8 for training).
    public init(_ choice: PrecisionChoice, training: Bool) throws {
        let cpu = CPUCapabilities.current
        isa = cpu.isa
        nativeBFloat16 = cpu.nativeBFloat16
        vnni = cpu.vnni
        requested = choice
        precision = try cpu.resolve(choice, training: training)
    }

    /// "compute: oneDNN ISA avx2 (no native bf16, no VNNI); precision f32 (auto)"
    public var summary: String {
        "compute: \(CPUCapabilities.current.summary); precision \(precision.rawValue)"
            + (requested == .auto ? " (auto)" : "")
    }
}

public let precisionHelp = "Matrix-product precision: auto (bf16 where the CPU computes it natively, "
    + "else f32), f32 or bf16 (bf16 keeps f32 master weights; needs avx512_bf16 or AMX)."
