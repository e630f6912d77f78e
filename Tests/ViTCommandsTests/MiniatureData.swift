import Foundation
import ViTCore

/// A CIFAR-10 directory in miniature: `perFile` random images in each training batch file
/// and in the test file, labels cycling through the classes. Returns the directory.
func makeMiniatureCIFAR(perFile: Int = 40, seed: UInt64 = 1) throws -> String {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("vitc-mini-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var generator = SeededGenerator(seed: seed)
    func images() -> LabeledImages {
        let labels = (0..<perFile).map { UInt8(($0 + Int(generator.nextInt(below: 10))) % 10) }
        // Each class gets its own mean brightness so that a model can learn something.
        var pixels = [UInt8](repeating: 0, count: perFile * 3072)
        for (i, label) in labels.enumerated() {
            for j in 0..<3072 { pixels[i * 3072 + j] = UInt8(min(255, Int(label) * 20 + generator.nextInt(below: 60))) }
        }
        return LabeledImages(pixels: pixels, labels: labels)
    }
    for name in CIFAR10.trainingFiles { try CIFAR10.write(images(), to: directory + "/" + name) }
    try CIFAR10.write(images(), to: directory + "/" + CIFAR10.testFile)
    return directory
}

/// Flags for a model small enough to train in a test.
let tinyModelFlags = ["--preset", "student", "--dim", "16", "--depth", "1", "--heads", "2", "--mlp-dim", "32",
                      "--patch-size", "8"]

func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("vitc-\(UUID().uuidString)-\(name)").path
}
