import ViTCommands
import ViTStages

ProcessSetup.configure()
ExportCommand.main()
