import XCTest
@testable import ViTCommands
@testable import ViTStages
import ViTCore
import ViTStore

/// The reference chain on tiny models, one epoch a step (a plan file beside the tests).
let tinyPlan = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Plans/tiny.json").path

final class PipelineCommandTests: XCTestCase {
    func testTinyChainWritesEveryStageAndAConsistentReport() throws {
        let data = try makeMiniatureCIFAR(perFile: 80)
        let folder = temporaryPath("pipeline")
        let models = folder + "/models", reports = folder + "/reports"
        try PipelineCommand.parse(["--plan", tinyPlan, "--data", data, "--models-dir", models, "--reports-dir", reports,
                                   "--sparsities", "0.5,0.9"]).run()
        let expected = ["teacher.h5": "teacher", "student.h5": "student", "student-pruned-s50.h5": "pruned",
                        "student-pruned-s90.h5": "pruned", "student-heads50.h5": "pruned",
                        "student-int8.h5": "int8", "student-pruned-s50-int8.h5": "int8"]
        for (name, stage) in expected {
            let file = try Checkpoint.load(from: "\(models)/\(name)")
            XCTAssertEqual(file.attributes["stage"], .string(stage), name)
            XCTAssertNotNil(file.eval["accuracy"], name)
        }
        // Each stage names the file it came from.
        let student = try Checkpoint.load(from: "\(models)/student.h5")
        XCTAssertEqual(student.attributes["teacher_sha256"], .string(try Checkpoint.sha256(ofFile: "\(models)/teacher.h5")))
        let pruned = try Checkpoint.load(from: "\(models)/student-pruned-s50.h5")
        XCTAssertEqual(pruned.attributes["parent_sha256"], .string(try Checkpoint.sha256(ofFile: "\(models)/student.h5")))
        // The report lists every model, with the accuracy stored in its file.
        let summary = try String(contentsOfFile: reports + "/summary.md", encoding: .utf8)
        for name in expected.keys {
            let accuracy = try Checkpoint.load(from: "\(models)/\(name)").eval["accuracy"]!.doubles![0]
            let row = summary.split(separator: "\n").first { $0.hasPrefix("| \(name) |") }
            XCTAssertNotNil(row, "summary.md has no row for \(name)")
            XCTAssertTrue(row?.contains(String(format: "%.2f%%", 100 * accuracy)) ?? false, name)
        }
        for plot in ["accuracy-vs-params.svg", "curves.svg"] {
            let svg = try String(contentsOfFile: reports + "/" + plot, encoding: .utf8)
            XCTAssertTrue(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"), plot)
        }
    }

    func testAStudyPlanRunsEveryKindOfStepAndReportsTheFilesItMade() throws {
        let data = try makeMiniatureCIFAR(perFile: 60)
        let folder = temporaryPath("study-plan")
        let models = folder + "/models", reports = folder + "/reports"
        let studyPlan = (tinyPlan as NSString).deletingLastPathComponent + "/tiny-study.json"
        try PipelineCommand.parse(["--plan", studyPlan, "--data", data, "--models-dir", models, "--reports-dir", reports]).run()
        let stages = ["pretrained.h5": "pretrained", "from-pretrained.h5": "study", "hard-token.h5": "student",
                      "taylor.h5": "pruned", "dynamic.h5": "int8"]
        for (name, stage) in stages {
            let file = try Checkpoint.load(from: "\(models)/studies/\(name)")
            XCTAssertEqual(file.attributes["stage"], .string(stage), name)
            XCTAssertEqual(file.attributes["seed"], .int(1), "\(name): the plan's seed")
        }
        let student = try ModelRecord(checkpoint: try Checkpoint.load(from: "\(models)/studies/hard-token.h5"), file: "hard-token.h5")
        XCTAssertEqual(student.model.distillationToken, true)
        XCTAssertEqual(student.distillation?.kind, .hard)
        XCTAssertEqual(student.distillation?.drwDistillation, true)
        let started = try ModelRecord(checkpoint: try Checkpoint.load(from: "\(models)/studies/from-pretrained.h5"), file: "f.h5")
        XCTAssertEqual(started.training?.encoderLearningRateScale, 0.1)
        let pruned = try ModelRecord(checkpoint: try Checkpoint.load(from: "\(models)/studies/taylor.h5"), file: "taylor.h5")
        XCTAssertEqual(pruned.pruning?.criterion, .taylor)
        let int8 = try ModelRecord(checkpoint: try Checkpoint.load(from: "\(models)/studies/dynamic.h5"), file: "dynamic.h5")
        XCTAssertEqual(int8.quantization?.mode, .dynamic)
        // The table lists the files that exist, in the plan's order, and leaves out the one never made.
        let table = try String(contentsOfFile: reports + "/tiny.md", encoding: .utf8)
        let rows = ["from-pretrained.h5", "hard-token.h5", "taylor.h5", "dynamic.h5"].map { name in
            table.range(of: "| \(name) |")?.lowerBound
        }
        XCTAssertFalse(rows.contains(nil), table)
        XCTAssertEqual(rows.compactMap { $0 }, rows.compactMap { $0 }.sorted())
        XCTAssertFalse(table.contains("not-made"))
        XCTAssertTrue(try String(contentsOfFile: reports + "/tiny.svg", encoding: .utf8).hasPrefix("<svg"))
        XCTAssertTrue(try String(contentsOfFile: reports + "/tiny-training.md", encoding: .utf8).contains("Tiny training"))
    }

    func testSkipExistingResumesAnUnfinishedTeacherInsteadOfKeepingIt() throws {
        let data = try makeMiniatureCIFAR(perFile: 40)
        let folder = temporaryPath("pipeline-resume")
        let models = folder + "/models", reports = folder + "/reports"
        // A teacher interrupted after the first of two epochs: its file holds no final evaluation.
        let teacher = models + "/teacher.h5"
        try TrainCommand.parse(["--seed", "0", "--data", data, "--imbalance-ratio", "100"]
                               + ["--tokenizer", "conv", "--conv-layers", "1", "--conv-channels", "8", "--dim", "16",
                                  "--depth", "1", "--heads", "2", "--mlp-dim", "32", "--pool", "seq"]
                               + ["--epochs", "2", "--warmup-epochs", "0", "--stop-after-epochs", "1", "--out", teacher]).run()
        XCTAssertEqual(try Checkpoint.load(from: teacher).logs["epoch"]?.doubles?.count, 1)
        try PipelineCommand.parse(["--plan", tinyPlan, "--skip-existing", "--data", data, "--models-dir", models,
                                   "--reports-dir", reports, "--sparsities", "0.5", "--finetune-epochs", "0"]).run()
        let finished = try Checkpoint.load(from: teacher)
        XCTAssertNotNil(finished.eval["accuracy"])
        XCTAssertEqual(finished.logs["epoch"]?.doubles?.count, 2, "the run went on to its own two epochs")
        XCTAssertFalse(FileManager.default.fileExists(atPath: teacher + ".resumed.h5"))
    }

    func testSkipExistingGoesOnFromAnInterruptedResumesFurtherCheckpoint() throws {
        let data = try makeMiniatureCIFAR(perFile: 40)
        let folder = temporaryPath("pipeline-resume-twice")
        let models = folder + "/models", reports = folder + "/reports"
        // A teacher stopped after epoch 1 of 3, then a resume of it stopped after epoch 2: the
        // pipeline's own temporary file, which the next run must not throw away.
        let teacher = models + "/teacher.h5", resumed = teacher + ".resumed.h5"
        try TrainCommand.parse(["--seed", "0", "--data", data, "--imbalance-ratio", "100"]
                               + ["--tokenizer", "conv", "--conv-layers", "1", "--conv-channels", "8", "--dim", "16",
                                  "--depth", "1", "--heads", "2", "--mlp-dim", "32", "--pool", "seq"]
                               + ["--epochs", "3", "--warmup-epochs", "0", "--stop-after-epochs", "1", "--out", teacher]).run()
        try TrainCommand.parse(["--data", data, "--imbalance-ratio", "100", "--resume", teacher,
                                "--stop-after-epochs", "2", "--out", resumed]).run()
        let secondEpoch = try XCTUnwrap(Checkpoint.load(from: resumed).logs["seconds"]?.doubles?[1])
        try PipelineCommand.parse(["--plan", tinyPlan, "--skip-existing", "--data", data, "--models-dir", models,
                                   "--reports-dir", reports, "--sparsities", "0.5", "--finetune-epochs", "0"]).run()
        let finished = try Checkpoint.load(from: teacher)
        XCTAssertEqual(finished.logs["epoch"]?.doubles?.count, 3)
        // Epoch 2's wall time is the interrupted resume's own: that epoch was not trained again.
        XCTAssertEqual(finished.logs["seconds"]?.doubles?[1], secondEpoch)
        XCTAssertFalse(FileManager.default.fileExists(atPath: resumed))
    }

    /// The settings vit-train would make of these flags on the pipeline's data, in the recipe's precision.
    private func parsed(_ flags: [String], like recipe: TrainingConfig) throws -> TrainingConfig {
        let data = try DataOptions.parse(["--imbalance-ratio", "100"])
        let options = try TrainingOptions.parse(["--seed", "7"] + flags)
        var config = try options.config(data: data, recipe: options.loadRecipe())
        config.precision = recipe.precision  // resolved on this CPU by the stage
        return config
    }

    /// The reference plan's runner at seed 7, reading the long-tailed set (R = 100).
    private func referenceRunner() throws -> PlanRunner {
        var plan = try Plan.load("reference")
        plan.seed = 7
        var runner = PlanRunner(plan: plan, data: DataSource(directory: "data"))
        runner.modelsFolder = "models"
        return runner
    }

    func testRecipesGiveTheSettingsTheirFormerFlagsGave() throws {
        for epochs in [160, 150, 1, 10] {
            let runner = try referenceRunner()
            let deferred = "\(epochs * 4 / 5)", warmup = "\(min(5, max(0, epochs - 1)))"
            var teacher = try runner.trainingConfig("cct-teacher", epochs: epochs)
            XCTAssertEqual(teacher.recipe?.name, "cct-teacher")
            XCTAssertEqual(teacher, try parsed(["--recipe", "cct-teacher", "--epochs", "\(epochs)", "--warmup-epochs", warmup],
                                               like: teacher))
            teacher.recipe = nil
            XCTAssertEqual(teacher, try parsed(
                ["--epochs", "\(epochs)", "--warmup-epochs", warmup, "--lr", "5e-4", "--min-lr", "1e-5",
                 "--weight-decay", "0.03", "--loss", "balanced-softmax", "--adjust-from-epoch", deferred,
                 "--policy", "auto-augment", "--mixup", "0.8", "--cutmix", "1.0", "--mix-off-epoch", deferred,
                 "--eval-every", "5", "--ema", "0.999"], like: teacher))
            var student = try runner.trainingConfig("cct-student", epochs: epochs)
            XCTAssertEqual(student.recipe?.name, "cct-student")
            student.recipe = nil
            XCTAssertEqual(student, try parsed(
                ["--epochs", "\(epochs)", "--warmup-epochs", warmup, "--lr", "5e-4", "--min-lr", "1e-5",
                 "--weight-decay", "0.03", "--loss", "balanced-softmax", "--adjust-from-epoch", deferred,
                 "--policy", "auto-augment", "--mixup", "0.8", "--cutmix", "1.0", "--mix-off-epoch", deferred,
                 "--eval-every", "10", "--ema", "0.999"], like: student))
        }
    }

    func testTheReferencePlanIsTheFormerPipelineStepByStep() throws {
        let plan = try PipelineCommand.plan(named: "reference", teacherEpochs: nil, studentEpochs: nil, distill: nil,
                                            finetuneEpochs: nil, sparsities: nil, seed: nil)
        XCTAssertEqual(plan.imbalanceRatio, 100)
        XCTAssertEqual(plan.seed, 0)
        let tune = { (output: String, structure: PruningStructure, levels: [Double]) -> Plan.Step in
            .prune(Plan.Prune(parent: "student.h5", output: output, structure: structure, sparsities: levels,
                              finetuneEpochs: 5, recipe: "cct-student-finetune", teacher: "teacher.h5"))
        }
        XCTAssertEqual(plan.steps, [
            .train(Plan.Train(output: "teacher.h5", recipe: "cct-teacher")),
            .distill(Plan.Distill(output: "student.h5", recipe: "cct-student", teacher: "teacher.h5")),
            tune("student-pruned.h5", .unstructured, [0.3, 0.5, 0.7, 0.8, 0.9]),
            tune("student-heads50.h5", .heads, [0.5]),
            .quantize(Plan.Quantize(parent: "student.h5", output: "student-int8.h5")),
            .quantize(Plan.Quantize(parent: "student-pruned-s50.h5", output: "student-pruned-s50-int8.h5")),
            .report,
        ])
        XCTAssertEqual(try Recipe.load("cct-teacher").values.epochs, 160)
        XCTAssertEqual(try Recipe.load("cct-student").values.epochs, 150)
        // The flags change the steps; a sweep without 0.5 writes no s50 file, so its int8 step goes.
        let short = try PipelineCommand.plan(named: "reference", teacherEpochs: 3, studentEpochs: 2, distill: .hard,
                                             finetuneEpochs: 1, sparsities: "0.3,0.7", seed: 4)
        XCTAssertEqual(short.seed, 4)
        XCTAssertEqual(short.steps.count, plan.steps.count - 1)
        XCTAssertEqual(short.steps[0], .train(Plan.Train(output: "teacher.h5", recipe: "cct-teacher", epochs: 3)))
        XCTAssertEqual(short.steps[1], .distill(Plan.Distill(output: "student.h5", recipe: "cct-student",
                                                             teacher: "teacher.h5", kind: .hard, epochs: 2)))
        guard case .prune(let sweep) = short.steps[2], case .prune(let heads) = short.steps[3] else {
            return XCTFail("prune steps expected")
        }
        XCTAssertEqual(sweep.sparsities, [0.3, 0.7])
        XCTAssertEqual(heads.sparsities, [0.5], "the flag sets the unstructured sweep only")
        XCTAssertEqual([sweep.finetuneEpochs, heads.finetuneEpochs], [1, 1])
        XCTAssertEqual(short.steps[4].outputs, ["student-int8.h5"])
    }

    func testPruningStagesFineTuneWithAutoAugmentAndTheStudentsTeacher() throws {
        let runner = try referenceRunner()
        for epochs in [0, 5] {
            for teacher in [nil, "teacher.h5"] {
                var stage = try runner.pruneSettings(Plan.Prune(parent: "student.h5", output: "heads.h5", structure: .heads,
                                                                sparsities: [0.5], finetuneEpochs: epochs,
                                                                recipe: "cct-student-finetune", teacher: teacher))
                XCTAssertEqual(stage.training.recipe?.name, "cct-student-finetune")
                stage.training.recipe = nil
                // The fine-tuning recipe's settings (with nothing to fine-tune they are recorded, unused).
                XCTAssertEqual(stage.training, try parsed(["--warmup-epochs", "0", "--lr", "1e-4", "--policy", "auto-augment",
                                                           "--loss", "balanced-softmax"], like: stage.training))
                XCTAssertEqual(stage.pruning.finetuneEpochs, epochs)
                XCTAssertEqual(stage.pruning.structure, .heads)
                XCTAssertEqual(stage.pruning.layers, PrunableLayer.defaults)
                XCTAssertEqual(stage.parent, "models/student.h5")
                // One-shot pruning has nothing to distil; fine-tuning distils from the named teacher.
                XCTAssertEqual(stage.teacher?.path, epochs > 0 ? teacher.map { "models/\($0)" } : nil)
                XCTAssertEqual(stage.teacher?.distillation.kind, epochs > 0 && teacher != nil ? .soft : nil)
                XCTAssertEqual(stage.teacher?.distillation.temperature, epochs > 0 && teacher != nil ? 4 : nil)
            }
        }
    }
}
