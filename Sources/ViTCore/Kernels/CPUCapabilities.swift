import CDNNL

/// What oneDNN can do on this CPU, asked of oneDNN itself (never guessed from the CPU's name):
/// the instruction set it dispatches to, which honours ONEDNN_MAX_CPU_ISA, and whether a bf16
/// product can be created. Tests run the AVX2 paths on an AVX-512 host with
/// ONEDNN_MAX_CPU_ISA=AVX2.
public struct CPUCapabilities: Sendable, Equatable {
    /// oneDNN's name for the instruction set it uses, e.g. "avx512_core_bf16" or "avx2".
    public var isa: String
    /// bf16 products run in hardware (avx512_bf16 or AMX) rather than not at all.
    public var nativeBFloat16: Bool
    /// u8·s8 products add in 32 bits (VNNI). Without VNNI, oneDNN adds pairs of products in
    /// 16 bits with saturation, so int8 layers use 7-bit weights there (see QuantizedLinearWeights).
    public var vnni: Bool

    public static let current = CPUCapabilities.query()

    public init(isa: String, nativeBFloat16: Bool, vnni: Bool) {
        self.isa = isa
        self.nativeBFloat16 = nativeBFloat16
        self.vnni = vnni
    }

    static func query() -> CPUCapabilities {
        let isa = dnnl_get_effective_cpu_isa()
        let names: [(dnnl_cpu_isa_t, String)] = [
            (dnnl_cpu_isa_avx512_core_amx, "avx512_core_amx"), (dnnl_cpu_isa_avx512_core_bf16, "avx512_core_bf16"),
            (dnnl_cpu_isa_avx512_core_vnni, "avx512_core_vnni"), (dnnl_cpu_isa_avx512_core, "avx512_core"),
            (dnnl_cpu_isa_avx2_vnni, "avx2_vnni"), (dnnl_cpu_isa_avx2, "avx2"), (dnnl_cpu_isa_avx, "avx"),
            (dnnl_cpu_isa_sse41, "sse41"),
        ]
        let name = names.first { $0.0 == isa }?.1 ?? "isa 0x\(String(isa.rawValue, radix: 16))"
        let bf16ISA = [dnnl_cpu_isa_avx512_core_bf16, dnnl_cpu_isa_avx512_core_amx].contains(isa)
        let vnni = [dnnl_cpu_isa_avx512_core_vnni, dnnl_cpu_isa_avx512_core_bf16, dnnl_cpu_isa_avx512_core_amx,
                    dnnl_cpu_isa_avx2_vnni].contains(isa)
        // The ISA says bf16 is native; the primitive must also exist (it is what will run).
        return CPUCapabilities(isa: name, nativeBFloat16: bf16ISA && DNNLContext.canCreateBFloat16Product(), vnni: vnni)
    }

    /// The precision to run in: `auto` is bf16 for training and float inference where bf16 is
    /// native, else f32. An explicit bf16 without native support is refused before any work.
    public func resolve(_ choice: PrecisionChoice, training: Bool) throws -> Precision {
        switch choice {
        case .auto: return nativeBFloat16 ? .bf16 : .f32
        case .f32: return .f32
        case .bf16:
            guard nativeBFloat16 else {
                throw PrecisionError(message: "bf16 needs a CPU with native bfloat16 (avx512_bf16 or AMX); oneDNN runs "
                    + "\(isa) here: use --precision f32 or auto")
            }
            return .bf16
        case .int8:
            if training { throw PrecisionError(message: "int8 is inference only: train in f32, bf16 or auto, then run vit-quantize") }
            return .int8
        }
    }

    /// "oneDNN ISA avx2 (no native bf16, no VNNI)": printed by the tools at start-up.
    public var summary: String {
        "oneDNN ISA \(isa) (\(nativeBFloat16 ? "native bf16" : "no native bf16"), \(vnni ? "VNNI" : "no VNNI"))"
    }
}

public struct PrecisionError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
