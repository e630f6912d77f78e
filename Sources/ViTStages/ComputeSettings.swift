import ViTCore

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

    /// The precision a resumed run continues in: the file's, unless `choice` names another.
    /// A bf16 run cannot continue in bf16 on a CPU without native bf16: that is refused.
    public static func resumed(_ choice: PrecisionChoice, stored: Precision) throws -> ComputeSettings {
        if choice != .auto { return try ComputeSettings(choice, training: true) }
        do {
            return try ComputeSettings(PrecisionChoice(stored), training: true)
        } catch {
            throw PrecisionError(message: "this run trains in \(stored.rawValue), which needs native bf16 and oneDNN runs "
                + "\(CPUCapabilities.current.isa) here: add --precision f32 to continue it in f32")
        }
    }

    /// "compute: oneDNN ISA avx2 (no native bf16, no VNNI); precision f32 (auto)"
    public var summary: String {
        "compute: \(CPUCapabilities.current.summary); precision \(precision.rawValue)"
            + (requested == .auto ? " (auto)" : "")
    }
}

public let precisionHelp = "Matrix-product precision: auto (bf16 where the CPU computes it natively, "
    + "else f32), f32 or bf16 (bf16 keeps f32 master weights; needs avx512_bf16 or AMX)."
