import Foundation
import ViTCore
import ViTStore

/// A training recipe kept as a file (`recipes/NAME.json`): a JSON object whose keys are the
/// training commands' flag names ("lr", "min-lr", "loss", ...; the architecture flags "dim",
/// "depth", "pool", ... change the preset) plus "preset" (the architecture) and "description". Every value is optional; a command applies the recipe with `--recipe` and
/// any flag given on the command line wins over it. An unknown key or a value of the wrong kind is
/// a one-line error naming the file and the key.
///
/// Epoch keys ("adjust-from-epoch", "drw-epoch", "mix-off-epoch") take an epoch (0-based) or a
/// share of the run's epochs, "80%" (epochs * 80 / 100, rounded down), so that one recipe serves
/// any number of epochs.
public struct Recipe: Equatable, Sendable {
    /// The file's name without ".json", and the SHA-256 of its bytes: recorded in every checkpoint
    /// trained with it.
    public let name: String
    public let sha256: String
    public var values: Values

    /// An epoch of the schedule, given directly or as a share of the run's epochs.
    public enum EpochPoint: Equatable, Sendable {
        case epoch(Int)
        case percent(Int)

        public func resolved(epochs: Int) -> Int {
            switch self {
            case .epoch(let epoch): return epoch
            case .percent(let percent): return epochs * percent / 100
            }
        }
    }

    /// The settings a recipe may give: nil where it leaves the command's default.
    public struct Values: Equatable, Sendable {
        public var description: String?
        public var preset: String?
        /// The long-tailed training set's ratio (the data flag --imbalance-ratio).
        public var imbalanceRatio: Double?
        public var epochs: Int?
        public var batchSize: Int?
        public var lr: Float?
        public var minLr: Float?
        public var weightDecay: Float?
        public var warmupEpochs: Int?
        public var labelSmoothing: Float?
        public var clipNorm: Float?
        public var loss: LossKind?
        public var logitTau: Float?
        public var adjustFromEpoch: EpochPoint?
        public var drwEpoch: EpochPoint?
        public var drwBeta: Double?
        public var ema: Float?
        public var evalEvery: Int?
        public var validationFraction: Double?
        public var validationPerClass: Int?
        public var policy: AugmentationPolicy?
        public var randomErasing: Float?
        public var mixup: Float?
        public var cutmix: Float?
        public var mixOffEpoch: EpochPoint?
        public var ohemRatio: Float?
        /// Changes to the preset's architecture.
        public var architecture = Architecture()

        public init() {}
    }

    /// The keys a recipe file may hold, in the order `--help` and the README list them.
    public static let keys = ["description", "preset", "imbalance-ratio", "epochs", "batch-size", "lr", "min-lr", "weight-decay",
                              "warmup-epochs", "label-smoothing", "clip-norm", "loss", "logit-tau",
                              "adjust-from-epoch", "drw-epoch", "drw-beta", "ema", "eval-every",
                              "validation-fraction", "validation-per-class", "policy", "random-erasing", "mixup", "cutmix", "mix-off-epoch",
                              "ohem-ratio"] + Architecture.keys

    public init(name: String, sha256: String, values: Values) {
        (self.name, self.sha256, self.values) = (name, sha256, values)
    }

    /// What a checkpoint records of the recipe it was trained with.
    public var reference: RecipeReference { RecipeReference(name: name, sha256: sha256) }

    /// Reads `nameOrPath`: a file path (it contains "/" or ends in ".json"), else `recipes/NAME.json`
    /// in the current directory or in the package beside the running executable (`<package>/.build/<config>/tool`).
    public static func load(_ nameOrPath: String) throws -> Recipe {
        let file = try readSettingsFile(nameOrPath, folder: "recipes", what: "recipe")
        return try parse(file.data, name: file.name, file: file.path)
    }

    /// The recipe in `data` (the bytes of `file`, named in errors).
    public static func parse(_ data: Data, name: String, file: String) throws -> Recipe {
        let fields = try JSONValue.object(in: data, file: file, what: "settings")
        return Recipe(name: name, sha256: sha256Hex(data), values: try values(fields, file: file))
    }

    /// Recipe keys read from an object (a recipe file's, or a plan step's "settings"); `file` names
    /// where they came from in errors.
    static func values(_ fields: [String: JSONValue], file: String) throws -> Values {
        var values = Values()
        for key in fields.keys.sorted() {
            let value = fields[key]!
            let field = SettingsField(file: file, key: key, value: value)
            let (integer, real, text) = (field.integer, field.real, field.text)
            func epoch() throws -> EpochPoint {
                switch value {
                case .string(let string):
                    guard string.hasSuffix("%"), let percent = Int(string.dropLast()), (0...100).contains(percent)
                    else { break }
                    return .percent(percent)
                case .number(let number):
                    guard let exact = Int(exactly: number) else { break }
                    return .epoch(exact)
                default: break
                }
                throw field.fail("an epoch (0-based) or a share of the epochs such as \"80%\"")
            }
            switch key {
            case "description": values.description = try text()
            case "preset":
                let preset = try text()
                guard ModelConfig.preset(named: preset) != nil else {
                    throw field.fail("one of \(ModelConfig.presetNames.joined(separator: ", "))")
                }
                values.preset = preset
            case "imbalance-ratio":
                let ratio = try real()
                guard ratio >= 1 else { throw field.fail("at least 1") }
                values.imbalanceRatio = ratio
            case "epochs": values.epochs = try integer()
            case "batch-size": values.batchSize = try integer()
            case "lr": values.lr = Float(try real())
            case "min-lr": values.minLr = Float(try real())
            case "weight-decay": values.weightDecay = Float(try real())
            case "warmup-epochs": values.warmupEpochs = try integer()
            case "label-smoothing": values.labelSmoothing = Float(try real())
            case "clip-norm": values.clipNorm = Float(try real())
            case "loss": values.loss = try field.named(LossKind.self)
            case "logit-tau": values.logitTau = Float(try real())
            case "adjust-from-epoch": values.adjustFromEpoch = try epoch()
            case "drw-epoch": values.drwEpoch = try epoch()
            case "drw-beta": values.drwBeta = try real()
            case "ema": values.ema = Float(try real())
            case "eval-every": values.evalEvery = try integer()
            case "validation-fraction": values.validationFraction = try real()
            case "validation-per-class": values.validationPerClass = try integer()
            case "policy": values.policy = try field.named(AugmentationPolicy.self)
            case "random-erasing": values.randomErasing = Float(try real())
            case "mixup": values.mixup = Float(try real())
            case "cutmix": values.cutmix = Float(try real())
            case "mix-off-epoch": values.mixOffEpoch = try epoch()
            case "ohem-ratio": values.ohemRatio = Float(try real())
            default:
                if try values.architecture.read(field) { continue }
                throw ConfigError(message: "\(file): unknown key '\(key)' (a recipe takes \(keys.joined(separator: ", ")))")
            }
        }
        return values
    }
}

func sha256Hex(_ data: Data) -> String {
    SHA256.hexDigest(of: [UInt8](data))
}
