import ViTCommands
import ViTStages

ProcessSetup.configure()
BenchCommand.main()
