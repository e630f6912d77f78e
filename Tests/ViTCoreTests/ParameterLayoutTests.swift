import XCTest
@testable import ViTCore

final class ParameterLayoutTests: XCTestCase {
    func testOnlyMatricesDecay() {
        XCTAssertTrue(ParameterLayout.decays("blocks.0.attn.qkv.weight"))
        XCTAssertTrue(ParameterLayout.decays("patch_embed.proj.weight"))
        XCTAssertTrue(ParameterLayout.decays("head.weight"))
        for name in ["blocks.0.attn.qkv.bias", "blocks.0.norm1.weight", "norm.weight", "pos_embed", "cls_token",
                     "dist_token"] {
            XCTAssertFalse(ParameterLayout.decays(name), name)
        }
    }

    func testInitialisationFollowsTimm() {
        var generator = SeededGenerator(seed: 1)
        let values = ParameterLayout.initialValues(.teacher, generator: &generator)
        XCTAssertEqual(values["blocks.0.norm1.weight"]!.data.allSatisfy { $0 == 1 }, true)
        XCTAssertEqual(values["blocks.0.attn.qkv.bias"]!.data.allSatisfy { $0 == 0 }, true)
        XCTAssertLessThanOrEqual(values["blocks.0.mlp.fc1.weight"]!.data.map(abs).max()!, 0.04)  // truncated at 2 std
        XCTAssertLessThan(values["cls_token"]!.data.map(abs).max()!, 1e-5)
        let bound = 1 / Float(48).squareRoot()  // conv default: uniform(+-1/sqrt(fan_in)), fan_in = 3*4*4
        XCTAssertLessThanOrEqual(values["patch_embed.proj.weight"]!.data.map(abs).max()!, bound)
    }
}
