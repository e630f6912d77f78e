import Foundation
import ViTStore
@testable import ViTCommands
@testable import ViTStages

/// cifar-10-binary.tar.gz in miniature: `makeMiniatureCIFAR` data (`perFile` images per file)
/// packed by the system's tar and gzip, as the real archive is laid out. `leaving` drops files.
func makeMiniatureArchive(perFile: Int = 40, leaving omitted: [String] = []) throws -> (data: Data, md5: String) {
    let images = try makeMiniatureCIFAR(perFile: perFile)
    let staging = temporaryPath("archive")
    let folder = staging + "/" + DatasetDownload.archiveFolder
    try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
    try FileManager.default.moveItem(atPath: images, toPath: folder)
    try "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n"
        .write(toFile: folder + "/batches.meta.txt", atomically: true, encoding: .utf8)
    for name in omitted { try FileManager.default.removeItem(atPath: folder + "/" + name) }
    let archive = staging + "/" + DatasetDownload.archiveName
    try runTool("/bin/tar", ["czf", archive, "-C", staging, DatasetDownload.archiveFolder])
    let data = try Data(contentsOf: URL(fileURLWithPath: archive))
    try FileManager.default.removeItem(atPath: staging)
    return (data, MD5.hexDigest(of: data))
}

func runTool(_ path: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw NSError(domain: "runTool", code: Int(process.terminationStatus),
                      userInfo: [NSLocalizedDescriptionKey: "\(path) \(arguments.joined(separator: " ")) failed"])
    }
}

/// The names in `folder`, hidden ones included: a failed download must leave none of its own.
func folderContents(_ folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
}
