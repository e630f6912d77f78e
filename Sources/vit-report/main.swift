import ViTCommands
import ViTStages

ProcessSetup.configure()
ReportCommand.main()
