import Foundation

/// The CIFAR-10 binary version: files of 3073-byte records, one label byte then 3072 pixel bytes.
public enum CIFAR10 {
    public static let recordBytes = 1 + LabeledImages.imageBytes
    public static let trainingFiles = (1...5).map { "data_batch_\($0).bin" }
    public static let testFile = "test_batch.bin"
    public static let defaultDirectory = "data/cifar-10-batches-bin"

    /// The `--data` flag if given, else the VITC_DATA environment variable, else the default.
    public static func resolveDirectory(flag: String?) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let variable = ProcessInfo.processInfo.environment["VITC_DATA"], !variable.isEmpty {
            return variable
        }
        return defaultDirectory
    }

    public static func loadTraining(directory: String) throws -> LabeledImages {
        try load(trainingFiles, from: directory)
    }

    public static func loadTest(directory: String) throws -> LabeledImages {
        try load([testFile], from: directory)
    }

    /// Writes `images` in the record layout (for test fixtures and miniature data sets).
    public static func write(_ images: LabeledImages, to path: String) throws {
        var bytes = Data(capacity: images.count * recordBytes)
        for i in 0..<images.count {
            bytes.append(images.labels[i])
            bytes.append(contentsOf: images.pixels[i * LabeledImages.imageBytes ..< (i + 1) * LabeledImages.imageBytes])
        }
        do {
            try bytes.write(to: URL(fileURLWithPath: path))
        } catch {
            throw DataError("\(path): could not be written (\(error.localizedDescription))")
        }
    }

    static func load(_ names: [String], from directory: String) throws -> LabeledImages {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory),
              isDirectory.boolValue else {
            throw DataError("CIFAR-10 directory not found: \(directory) (pass --data DIR or set VITC_DATA; "
                + "vit-data download, or --download, fetches it from https://www.cs.toronto.edu/~kriz/cifar.html)")
        }
        // Every file is read and checked before any is unpacked, so a bad fifth batch fails fast.
        let files = try names.map { name -> (path: String, bytes: Data) in
            let path = (directory as NSString).appendingPathComponent(name)
            return (path, try readRecords(path, expected: names, in: directory))
        }
        let total = files.reduce(0) { $0 + $1.bytes.count / recordBytes }
        var labels = [UInt8](repeating: 0, count: total)
        var pixels = [UInt8](repeating: 0, count: total * LabeledImages.imageBytes)
        var first = 0
        for file in files {
            let records = file.bytes.count / recordBytes
            try file.bytes.withUnsafeBytes { raw in
                try pixels.withUnsafeMutableBytes { out in
                    for r in 0..<records {
                        let label = raw[r * recordBytes]
                        guard label < 10 else {
                            throw DataError("\(file.path): record \(r) has label \(label), expected 0-9")
                        }
                        labels[first + r] = label
                        (out.baseAddress! + (first + r) * LabeledImages.imageBytes).copyMemory(
                            from: raw.baseAddress! + r * recordBytes + 1, byteCount: LabeledImages.imageBytes)
                    }
                }
            }
            first += records
        }
        return LabeledImages(pixels: pixels, labels: labels)
    }

    private static func readRecords(_ path: String, expected names: [String], in directory: String) throws -> Data {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataError("CIFAR-10 file not found: \(path) (expected \(names.joined(separator: ", ")) in \(directory))")
        }
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw DataError("\(path): could not be read")
        }
        guard !bytes.isEmpty else {
            throw DataError("\(path): empty file, expected \(recordBytes)-byte records (truncated download?)")
        }
        guard bytes.count % recordBytes == 0 else {
            throw DataError("\(path): \(bytes.count) bytes is not a whole number of \(recordBytes)-byte records (truncated?)")
        }
        return bytes
    }
}
