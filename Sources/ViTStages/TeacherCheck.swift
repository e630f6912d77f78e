import ViTCore

/// A teacher checkpoint, checked against the student before any training starts: the same
/// classes, image size and input normalisation.
public func loadTeacher(_ path: String, compatibleWith student: ModelConfig) throws -> VisionTransformer {
    let teacher = try LoadedModel(path: path).model
    let config = teacher.config
    if config.numClasses != student.numClasses {
        throw ConfigError(message: "\(path): the teacher has \(config.numClasses) classes, the student \(student.numClasses)")
    }
    if config.imageSize != student.imageSize || config.channels != student.channels {
        throw ConfigError(message: "\(path): the teacher takes \(config.channels)x\(config.imageSize)x\(config.imageSize) "
                              + "images, the student \(student.channels)x\(student.imageSize)x\(student.imageSize)")
    }
    if config.mean != student.mean || config.std != student.std {
        throw ConfigError(message: "\(path): the teacher normalises its input with another mean and std than the student")
    }
    return teacher
}
