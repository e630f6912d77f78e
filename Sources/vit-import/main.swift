import ViTCommands
import ViTStages

ProcessSetup.configure()
ImportCommand.main()
