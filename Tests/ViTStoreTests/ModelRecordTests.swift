import Foundation
import XCTest
import ViTCore
@testable import ViTStore

final class ModelRecordTests: XCTestCase {
    private var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    func testACommittedFormatVersionOneInt8FileReadsAsARecord() throws {
        let path = repository.appendingPathComponent("models/student-int8.h5").path
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("models/student-int8.h5 is not checked out") }
        let record = try ModelRecord(checkpoint: try Checkpoint.load(from: path), file: path)
        XCTAssertEqual(record.stage, .int8)
        XCTAssertEqual([record.model.tokenizer.rawValue, "\(record.model.dim)", "\(record.model.depth)", "\(record.model.heads)"],
                       ["conv", "128", "4", "2"])
        // The pipeline regenerates this file with each new reference student: check what every
        // regeneration keeps, not one run's epochs or digest.
        XCTAssertGreaterThan(record.training?.epochs ?? 0, 0)
        XCTAssertEqual(record.distillation?.teacher, "models/teacher.h5")
        XCTAssertEqual(record.parent?.name, "student.h5")
        XCTAssertEqual(record.parent?.sha256.count, 64)
        XCTAssertEqual(record.quantization?.mode, .static)
        XCTAssertEqual(record.quantization?.calibrationImages, 512)
        XCTAssertEqual(record.quantization?.parent, "student.h5")
        XCTAssertNil(record.teacher, "the int8 file names its parent, not the parent's teacher")
        XCTAssertNotNil(record.otherKeys["compute"], "untyped sections are kept")
    }

    func testAPretrainedRecordKeepsItsPretrainingAndComputeSectionsUnderTheirKeys() throws {
        var record = ModelRecord(stage: .pretrained, model: ModelConfig.preset(named: "teacher")!, seed: 3)
        var pretraining = PretrainingConfig()
        pretraining.maskRatio = 0.75
        pretraining.objective = .masked
        record.pretraining = pretraining
        record.setOtherSection("compute", ["isa": "avx2"])
        let file = Checkpoint(model: try VisionTransformer(config: record.model, seed: 3), record: record, command: ["x"])
        let json = try file.string("config", file: "memory")
        XCTAssertEqual(try ConfigJSON.decodeSection(PretrainingConfig.self, key: "pretraining", from: json, file: "memory"),
                       pretraining)
        XCTAssertTrue(json.contains(#""compute":{"isa":"avx2"}"#), json)
        XCTAssertEqual(file.attributes["command"], .string("x"))
        XCTAssertEqual(try ModelRecord(checkpoint: file, file: "memory"), record)
    }

    func testWrittenAttributesReadBackAsTheSameRecordKeepingUnknownSections() throws {
        var record = ModelRecord(stage: .pruned, model: ModelConfig.preset(named: "student")!, seed: 7)
        record.training = TrainingConfig()
        record.pruning = PruningConfig()
        record.parent = .init(name: "student.h5", sha256: "ab")
        record.teacher = .init(name: "teacher.h5", sha256: "cd")
        record.otherKeys = ["compute": #"{"isa":"avx2"}"#, "later_section": #"{"x":[1,2]}"#]
        var file = Checkpoint()
        record.write(into: &file)
        XCTAssertEqual(file.attributes["parent_sha256"], .string("ab"))
        XCTAssertEqual(try ModelRecord(checkpoint: file, file: "memory"), record)
    }

    func testTheQuantizationAttributeIsReadBeforeTheConfigSection() throws {
        var record = ModelRecord(stage: .int8, model: ModelConfig.preset(named: "student")!, seed: 0)
        record.quantization = QuantizationSettings()
        var file = Checkpoint()
        record.write(into: &file)
        var settings = QuantizationSettings()
        settings.mode = .dynamic
        file.attributes["quantization"] = .string(ConfigJSON.sortedJSON(settings))
        XCTAssertEqual(try ModelRecord(checkpoint: file, file: "memory").quantization?.mode, .dynamic)
    }
}
