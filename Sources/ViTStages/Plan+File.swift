import Foundation
import ViTCore
import ViTReports
import ViTStore

extension Plan {
    static let stepKinds = "train, distill, prune, quantize, pretrain, table or report"

    /// Reads `nameOrPath`: a file path (it contains "/" or ends in ".json"), else `plans/NAME.json`
    /// here or in the package beside the running executable (as recipes are found).
    public static func load(_ nameOrPath: String) throws -> Plan {
        let file = try readSettingsFile(nameOrPath, folder: "plans", what: "plan")
        return try parse(file.data, name: file.name, file: file.path)
    }

    /// The plan in `data` (the bytes of `file`, named in errors).
    public static func parse(_ data: Data, name: String, file: String) throws -> Plan {
        var plan = Plan(name: name, sha256: sha256Hex(data))
        let fields = try JSONValue.object(in: data, file: file, what: "plan settings")
        for key in fields.keys.sorted() {
            let field = SettingsField(file: file, key: key, value: fields[key]!)
            switch key {
            case "description": plan.description = try field.text()
            case "imbalance-ratio":
                plan.imbalanceRatio = try field.real()
                guard plan.imbalanceRatio >= 1 else { throw field.fail("at least 1") }
            case "seed":
                let seed = try field.integer()
                guard seed >= 0 else { throw field.fail("a seed of 0 or more") }
                plan.seed = UInt64(seed)
            case "steps":
                guard case .list(let items) = field.value, !items.isEmpty else { throw field.fail("a list of steps") }
                plan.steps = try items.enumerated().map { index, item in
                    guard case .object(let step) = item else {
                        throw ConfigError(message: "\(file): step \(index + 1) must be an object, got \(item)")
                    }
                    return try parseStep(step, file: "\(file): step \(index + 1)")
                }
            default:
                throw ConfigError(message: "\(file): unknown key '\(key)' (a plan takes description, imbalance-ratio, seed, steps)")
            }
        }
        guard !plan.steps.isEmpty else { throw ConfigError(message: "\(file): a plan needs 'steps'") }
        return plan
    }

    /// One step; `file` is "plans/x.json: step 3", named in every error.
    private static func parseStep(_ fields: [String: JSONValue], file: String) throws -> Step {
        guard let kindValue = fields["step"] else {
            throw ConfigError(message: "\(file): needs 'step' (\(stepKinds))")
        }
        guard case .string(let kind) = kindValue else {
            throw ConfigError(message: "\(file): 'step' must be \(stepKinds), got \(kindValue)")
        }
        let allowed: [String]
        switch kind {
        case "train": allowed = ["output", "recipe", "epochs", "settings", "stage", "init", "encoder-lr-scale"]
        case "distill": allowed = ["output", "recipe", "teacher", "distill", "epochs", "settings", "temperature", "alpha",
                                   "dist-token", "drw-distillation", "adjusted-distillation", "balanced-distillation"]
        case "prune": allowed = ["parent", "output", "structure", "sparsities", "finetune-epochs", "recipe", "teacher", "distill",
                                 "settings", "criterion"]
        case "quantize": allowed = ["parent", "output", "calibration-images", "mode"]
        case "pretrain": allowed = ["output", "settings", "mask-ratio"]
        case "table": allowed = ["report", "title", "files", "out", "notes", "plot", "x", "speed-seconds", "repeats"]
        case "report": allowed = []
        default:
            throw ConfigError(message: "\(file): 'step' must be \(stepKinds), got \(kindValue)")
        }
        for key in fields.keys.sorted() where key != "step" && !allowed.contains(key) {
            throw ConfigError(message: "\(file) (\(kind)): unknown key '\(key)' (a \(kind) step takes "
                              + (allowed.isEmpty ? "nothing else" : allowed.joined(separator: ", ")) + ")")
        }
        func field(_ key: String) -> SettingsField? {
            fields[key].map { SettingsField(file: "\(file) (\(kind))", key: key, value: $0) }
        }
        func required(_ key: String) throws -> SettingsField {
            guard let found = field(key) else { throw ConfigError(message: "\(file) (\(kind)): needs '\(key)'") }
            return found
        }
        func path(_ key: String) throws -> String {
            let value = try required(key).text()
            guard !value.isEmpty else { throw try required(key).fail("a file name") }
            return value
        }
        func settings() throws -> Recipe.Values {
            guard let found = field("settings") else { return Recipe.Values() }
            guard case .object(let object) = found.value else { throw found.fail("an object of recipe keys") }
            return try Recipe.values(object, file: "\(file) (\(kind)) settings")
        }
        /// A train or distill step's recipe: optional when its settings name the preset.
        func recipe(_ settings: Recipe.Values) throws -> String? {
            if field("recipe") == nil && settings.preset != nil { return nil }
            return try path("recipe")
        }
        func flag(_ key: String) throws -> Bool { try field(key)?.boolean() ?? false }
        func positive(_ key: String) throws -> Int? {
            guard let found = field(key) else { return nil }
            let value = try found.integer()
            guard value > 0 else { throw found.fail("a positive whole number") }
            return value
        }
        switch kind {
        case "train":
            let changes = try settings()
            var step = Train(output: try path("output"), recipe: try recipe(changes), epochs: try positive("epochs"),
                             settings: changes)
            if let stage = field("stage") {
                step.stage = try stage.named(Stage.self)
                guard [.teacher, .student, .study].contains(step.stage) else { throw stage.fail("teacher, student or study") }
            }
            step.initFrom = try field("init")?.text()
            if let scale = field("encoder-lr-scale") {
                guard step.initFrom != nil else { throw scale.fail("given with 'init'") }
                step.encoderLearningRateScale = Float(try scale.real())
                guard step.encoderLearningRateScale >= 0 else { throw scale.fail("0 or more") }
            }
            return .train(step)
        case "distill":
            let changes = try settings()
            var step = Distill(output: try path("output"), recipe: try recipe(changes), teacher: try path("teacher"))
            step.settings = changes
            step.kind = try field("distill")?.named(DistillationKind.self) ?? .soft
            if step.kind == .none { throw field("distill")!.fail("soft or hard (a distill step learns from its teacher)") }
            step.epochs = try positive("epochs")
            if let temperature = field("temperature") {
                step.distillation.temperature = Float(try temperature.real())
                guard step.distillation.temperature > 0 else { throw temperature.fail("positive") }
            }
            if let alpha = field("alpha") {
                step.distillation.alpha = Float(try alpha.real())
                guard (0...1).contains(step.distillation.alpha) else { throw alpha.fail("in [0, 1]") }
            }
            step.distillation.distillationToken = try flag("dist-token")
            step.distillation.drwDistillation = try flag("drw-distillation")
            step.distillation.adjustedDistillation = try flag("adjusted-distillation")
            step.distillation.balancedDistillation = try flag("balanced-distillation")
            return .distill(step)
        case "prune":
            let levelsField = try required("sparsities")
            var step = Prune(parent: try path("parent"), output: try path("output"), sparsities: try levelsField.reals())
            if step.sparsities.contains(where: { !(0..<1).contains($0) }) { throw levelsField.fail("levels in [0, 1)") }
            step.structure = try field("structure")?.named(PruningStructure.self) ?? .unstructured
            if let tune = field("finetune-epochs") {
                step.finetuneEpochs = try tune.integer()
                if step.finetuneEpochs < 0 { throw tune.fail("0 or more") }
            }
            step.recipe = try field("recipe")?.text()
            step.settings = try settings()
            step.teacher = try field("teacher")?.text()
            step.kind = try field("distill")?.named(DistillationKind.self) ?? .soft
            step.criterion = try field("criterion")?.named(PruningCriterionKind.self)
            return .prune(step)
        case "quantize":
            var step = Quantize(parent: try path("parent"), output: try path("output"))
            step.calibrationImages = try positive("calibration-images") ?? step.calibrationImages
            step.mode = try field("mode")?.named(QuantizationSettings.Mode.self) ?? .static
            return .quantize(step)
        case "pretrain":
            var step = Pretrain(output: try path("output"), settings: try settings())
            if let ratio = field("mask-ratio") {
                step.maskRatio = Float(try ratio.real())
                guard (0..<1).contains(step.maskRatio) else { throw ratio.fail("in [0, 1)") }
            }
            return .pretrain(step)
        case "table":
            var step = Table(title: try path("title"), files: try required("files").texts(), output: try path("out"))
            step.kind = try field("report")?.named(StudyReportSettings.Kind.self) ?? .table
            step.notes = try field("notes")?.text()
            step.plot = try field("plot")?.text()
            if let axis = field("x") {
                step.axis = try axis.text()
                guard StudyAxis(rawValue: step.axis) != nil else {
                    throw axis.fail("one of \(StudyAxis.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            }
            if let seconds = field("speed-seconds") {
                step.speedSeconds = try seconds.real()
                guard step.speedSeconds >= 0 else { throw seconds.fail("0 or more") }
            }
            step.repeats = try positive("repeats") ?? step.repeats
            return .table(step)
        default:
            return .report
        }
    }
}

/// The bytes of the settings file `nameOrPath` names (see `locateSettingsFile`), its path and its
/// name (the file name without ".json").
func readSettingsFile(_ nameOrPath: String, folder: String, what: String) throws
    -> (data: Data, path: String, name: String) {
    let path = try locateSettingsFile(nameOrPath, folder: folder, what: what)
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ConfigError(message: "\(path): cannot read the \(what)")
    }
    return (data, path, ((path as NSString).lastPathComponent as NSString).deletingPathExtension)
}

/// The file `nameOrPath` names: a path (it contains "/" or ends in ".json"), else
/// `<folder>/NAME.json` here or in the package the running executable was built in.
func locateSettingsFile(_ nameOrPath: String, folder: String, what: String) throws -> String {
    let fileManager = FileManager.default
    if nameOrPath.contains("/") || nameOrPath.hasSuffix(".json") {
        guard fileManager.fileExists(atPath: nameOrPath) else {
            throw ConfigError(message: "\(nameOrPath): no such \(what) file")
        }
        return nameOrPath
    }
    guard !nameOrPath.isEmpty, nameOrPath.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
        throw ConfigError(message: "\(what) '\(nameOrPath)': a name is letters, digits, '-' and '_' (or give a path)")
    }
    var folders = [folder]
    if let package = packageOfExecutable(), !folders.contains(package + "/" + folder) { folders.append(package + "/" + folder) }
    let candidates = folders.map { "\($0)/\(nameOrPath).json" }
    guard let found = candidates.first(where: { fileManager.fileExists(atPath: $0) }) else {
        throw ConfigError(message: "\(what) '\(nameOrPath)' not found (looked for \(candidates.joined(separator: ", ")))")
    }
    return found
}

/// The package folder (the first one up with a Package.swift) that the running executable was
/// built in (`<package>/.build/<triple>/<config>/tool`); nil for an installed copy.
private func packageOfExecutable() -> String? {
    var folder = (Bundle.main.executableURL ?? URL(fileURLWithPath: "/proc/self/exe")).resolvingSymlinksInPath()
    for _ in 0..<6 {
        folder = folder.deletingLastPathComponent()
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) { return folder.path }
        if folder.path == "/" { break }
    }
    return nil
}
