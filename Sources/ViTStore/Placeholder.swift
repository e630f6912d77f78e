public enum ViTStorePlaceholder {}
