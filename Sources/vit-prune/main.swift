import ViTCommands
import ViTStages

ProcessSetup.configure()
PruneCommand.main()
