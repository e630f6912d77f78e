public enum ViTCommandsPlaceholder {}
