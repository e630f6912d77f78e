import ArgumentParser
import XCTest
@testable import ViTCommands
@testable import ViTStages
import ViTCore
import ViTStore

final class DistillCommandTests: XCTestCase {
    private var data = ""
    private var teacher = ""

    override func setUpWithError() throws {
        data = try makeMiniatureCIFAR()
        teacher = temporaryPath("teacher.h5")
        let flags = ["--preset", "student", "--dim", "16", "--depth", "1", "--heads", "2", "--mlp-dim", "32",
                     "--patch-size", "8", "--data", data, "--out", teacher, "--epochs", "1", "--batch-size", "32"]
        try TrainCommand.parse(flags).run()
    }

    private func distill(_ extra: [String], out: String) throws {
        let flags = ["--data", data, "--out", out, "--epochs", "1", "--batch-size", "32", "--warmup-epochs", "1",
                     "--preset", "student", "--dim", "8", "--depth", "1", "--heads", "2", "--mlp-dim", "16", "--patch-size", "8"]
        try DistillCommand.parse(flags + extra).run()
    }

    func testEachDistillationKindWritesAStudentThatNamesItsTeacher() throws {
        for kind in DistillationKind.allCases {
            let out = temporaryPath("student-\(kind).h5")
            try distill(["--teacher", teacher, "--distill", kind.rawValue], out: out)
            let file = try Checkpoint.load(from: out)
            XCTAssertEqual(file.attributes["stage"], .string("student"))
            let settings = try ConfigJSON.decodeSection(DistillationSettings.self, key: "distillation",
                                                        from: try file.string("config", file: out), file: out)
            XCTAssertEqual(settings?.kind, kind)
            XCTAssertEqual(file.logs["distill_loss"]?.count, 1)
            if kind != .none {
                XCTAssertEqual(file.attributes["teacher_sha256"], .string(try Checkpoint.sha256(ofFile: teacher)))
            }
        }
    }

    func testDistillationTokenAddsASecondTokenAndHead() throws {
        let out = temporaryPath("student-token.h5")
        try distill(["--teacher", teacher, "--dist-token", "--distill", "hard"], out: out)
        let file = try Checkpoint.load(from: out)
        XCTAssertEqual(file.weights["dist_token"]?.shape, [1, 1, 8])
        XCTAssertEqual(file.weights["head_dist.weight"]?.shape, [10, 8])
        XCTAssertNoThrow(try EvalCommand.parse([out, "--data", data]).run())
    }

    func testARunBranchedIntoBalancedDistillationOnResumeEndsAsTheFreshBalancedRun() throws {
        let recipe = ["--teacher", teacher, "--epochs", "2", "--loss", "balanced-softmax", "--adjust-from-epoch", "1",
                      "--precision", "f32"]
        let fresh = temporaryPath("balanced-fresh.h5"), shared = temporaryPath("ce-phase.h5")
        let branched = temporaryPath("balanced-branched.h5")
        try distill(recipe + ["--balanced-distillation"], out: fresh)
        try distill(recipe + ["--stop-after-epochs", "1"], out: shared)
        try DistillCommand.parse(["--resume", shared, "--data", data, "--out", branched, "--balanced-distillation"]).run()
        XCTAssertEqual(try Checkpoint.load(from: fresh).weights, try Checkpoint.load(from: branched).weights)
        let settings = try ConfigJSON.decodeSection(DistillationSettings.self, key: "distillation",
                                                    from: try Checkpoint.load(from: branched).string("config", file: branched),
                                                    file: branched)
        XCTAssertEqual(settings?.balancedDistillation, true)
        // The plain ending of the same shared phase is another model.
        let plain = temporaryPath("plain-ending.h5")
        try DistillCommand.parse(["--resume", shared, "--data", data, "--out", plain]).run()
        XCTAssertNotEqual(try Checkpoint.load(from: plain).weights, try Checkpoint.load(from: branched).weights)
    }

    func testBranchingIntoBalancedDistillationAfterTheAdjustedPhaseBeganIsRefused() throws {
        let started = temporaryPath("adjusted-started.h5")
        try distill(["--teacher", teacher, "--epochs", "2", "--loss", "balanced-softmax", "--adjust-from-epoch", "0",
                     "--stop-after-epochs", "1"], out: started)
        let out = temporaryPath("never-branched.h5")
        XCTAssertThrowsError(try DistillCommand.parse(["--resume", started, "--data", data, "--out", out,
                                                       "--balanced-distillation"]).run()) { error in
            XCTAssertEqual("\(error)", "\(started): is past epoch 0, where the adjusted phase starts; "
                           + "--balanced-distillation can only branch before it")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertThrowsError(try distill(["--teacher", teacher, "--balanced-distillation"], out: out)) { error in
            XCTAssertTrue("\(error)".contains("needs --loss balanced-softmax or logit-adjusted, got ce"), "\(error)")
        }
    }

    func testATeacherThatIsNotAVitcCheckpointFailsBeforeTraining() throws {
        let foreign = temporaryPath("foreign.h5")
        let file = try HDF5File.create(foreign)
        try file.write([Float](repeating: 1, count: 4), shape: [4], at: "/something")
        try file.close()
        let out = temporaryPath("never.h5")
        XCTAssertThrowsError(try distill(["--teacher", foreign], out: out)) { error in
            XCTAssertEqual("\(error)", "\(foreign): not a vitc checkpoint (no format = \"vitc\" attribute)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testATeacherWithAnotherClassCountFailsBeforeTraining() throws {
        var config = ModelConfig.student
        config.numClasses = 5
        config.dim = 8
        config.depth = 1
        config.heads = 2
        let model = try VisionTransformer(config: config, seed: 1)
        let other = temporaryPath("five-classes.h5")
        try Checkpoint(model: model, record: ModelRecord(stage: .teacher, model: config, seed: 1), command: [])
            .save(to: other)
        let out = temporaryPath("never.h5")
        XCTAssertThrowsError(try distill(["--teacher", other], out: out)) { error in
            XCTAssertEqual(DistillCommand.message(for: error), "\(other): the teacher has 5 classes, the student 10")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testWritingOverTheTeacherIsRefused() throws {
        XCTAssertThrowsError(try distill(["--teacher", teacher], out: teacher))
        XCTAssertNoThrow(try Checkpoint.load(from: teacher).makeModel(file: teacher))
    }
}
