extension Checkpoint {
    /// Loads every group present (a missing group loads as empty) after checking that the file
    /// is undamaged (its recorded SHA-256, when it has one) and a vitc checkpoint of a version
    /// this code reads. `verifyingDigest: false` leaves damage to HDF5's own checks (the
    /// damage tests measure those).
    public static func load(from path: String) throws -> Checkpoint {
        try load(from: path, verifyingDigest: true)
    }

    static func load(from path: String, verifyingDigest: Bool) throws -> Checkpoint {
        if verifyingDigest { try FileDigest.verify(path) }
        let file = try HDF5File.openReadOnly(path)
        try checkFormat(of: file)
        var checkpoint = Checkpoint()
        for name in try file.attributeNames() where !reservedAttributes.contains(name) {
            checkpoint.attributes[name] = try file.attribute(name)
        }
        for group in groups where try file.exists("/" + group.name) {
            for datasetPath in try file.datasetPaths(under: "/" + group.name) {
                let name = dottedName(ofDatasetAt: datasetPath, group: group.name)
                checkpoint[keyPath: group.arrays][name] = try file.readArray(at: datasetPath)
                if group.name == "weights" || group.name == "masks", try file.isCompressed(datasetPath) {
                    checkpoint.compressWeights = true
                }
            }
        }
        try file.close()
        return checkpoint
    }

    private static func checkFormat(of file: HDF5File) throws {
        let names = try file.attributeNames()
        guard names.contains("format"), try file.attribute("format") == .string(format) else {
            throw StoreError.notVitcCheckpoint(file: file.displayName)
        }
        guard names.contains("format_version") else {
            throw StoreError.missingAttribute(file: file.displayName, object: "/", name: "format_version")
        }
        let version = try file.attribute("format_version")
        guard version == .int(formatVersion) else {
            throw StoreError.unsupportedFormatVersion(file: file.displayName, found: version, supported: formatVersion)
        }
    }
}
