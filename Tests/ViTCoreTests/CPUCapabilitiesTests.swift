import Foundation
import XCTest
@testable import ViTCore

final class CPUCapabilitiesTests: XCTestCase {
    private let avx2 = CPUCapabilities(isa: "avx2", nativeBFloat16: false, vnni: false)
    private let sapphire = CPUCapabilities(isa: "avx512_core_amx", nativeBFloat16: true, vnni: true)

    func testAutoChoosesBFloat16OnlyWhereItIsNative() throws {
        XCTAssertEqual(try avx2.resolve(.auto, training: true), .f32)
        XCTAssertEqual(try sapphire.resolve(.auto, training: true), .bf16)
        XCTAssertEqual(try avx2.resolve(.f32, training: true), .f32)
        let here = CPUCapabilities.current
        XCTAssertEqual(try here.resolve(.auto, training: false), here.nativeBFloat16 ? .bf16 : .f32)
    }

    func testExplicitBFloat16WithoutNativeSupportIsRefusedInOneLine() {
        XCTAssertThrowsError(try avx2.resolve(.bf16, training: false)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("avx2") && message.contains("--precision f32 or auto"), message)
            XCTAssertFalse(message.contains("\n"))
        }
        XCTAssertEqual(try sapphire.resolve(.bf16, training: true), .bf16)
    }

    func testInt8IsForInferenceOnly() throws {
        XCTAssertThrowsError(try sapphire.resolve(.int8, training: true))
        XCTAssertEqual(try avx2.resolve(.int8, training: false), .int8)
    }

    func testTheISAIsOneDNNsOwnAndFollowsItsCap() {
        let here = CPUCapabilities.current
        XCTAssertFalse(here.isa.isEmpty)
        // The BF16 capability is read from oneDNN's primitive, which agrees with its ISA.
        XCTAssertEqual(here.nativeBFloat16, ["avx512_core_bf16", "avx512_core_amx"].contains(here.isa))
        if ProcessInfo.processInfo.environment["ONEDNN_MAX_CPU_ISA"]?.uppercased() == "AVX2" {
            XCTAssertEqual(here.isa, "avx2")
            XCTAssertFalse(here.nativeBFloat16)
            XCTAssertFalse(here.vnni)
        }
    }

    func testABFloat16ProductCanBeCreatedExactlyWhereTheCPUHasNativeBFloat16() {
        XCTAssertEqual(DNNLContext.canCreateBFloat16Product() && CPUCapabilities.current.nativeBFloat16,
                       CPUCapabilities.current.nativeBFloat16)
    }
}
