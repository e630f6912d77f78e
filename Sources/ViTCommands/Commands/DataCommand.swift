import ArgumentParser
import Foundation
import ViTCore
import ViTStages

public struct DataCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "vit-data",
        abstract: "Fetch the CIFAR-10 data set the other tools read.",
        subcommands: [DataDownloadCommand.self])
}

struct DataDownloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download CIFAR-10 (binary version), check its MD5 and unpack it.",
        discussion: "The result is DIR/cifar-10-batches-bin: with the default --dir, data/cifar-10-batches-bin, where "
            + "the tools look by default. Without --dir and with VITC_DATA set, the data set is put where VITC_DATA "
            + "points (its parent folder, under its last name), so the tools find it. Nothing that looks like a data "
            + "set appears until the archive's MD5 and every file have been checked; an interrupted or failed "
            + "download leaves nothing behind, and an existing data set is never overwritten (if it is complete, "
            + "nothing is done).")

    @Option(help: "Folder to put cifar-10-batches-bin in (default: data, or where $VITC_DATA points).")
    var dir: String?
    @Option(help: "Address of cifar-10-binary.tar.gz (a mirror); the official MD5 is checked all the same.")
    var url: String = DatasetDownload.officialURL.absoluteString
    // Tests serve a miniature archive: another checksum also drops the 10,000-records-per-file check.
    @Option(help: ArgumentHelp("Expected MD5 of the archive (tests only).", visibility: .hidden))
    var md5: String?

    func validate() throws {
        _ = try Self.parseURL(url)
    }

    func run() throws {
        var download = DatasetDownload(destination: Self.destination(dir: dir))
        download.url = try Self.parseURL(url)
        if let md5 { download.md5 = md5 }
        try download.run()
    }

    static func destination(dir: String?) -> String {
        guard let dir, !dir.isEmpty else { return CIFAR10.resolveDirectory(flag: nil) }
        return (dir as NSString).appendingPathComponent(DatasetDownload.archiveFolder)
    }

    static func parseURL(_ text: String) throws -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme) else {
            throw ValidationError("--url: '\(text)' is not an http or https address")
        }
        return url
    }
}
