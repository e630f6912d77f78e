import ViTCommands
import ViTStages

ProcessSetup.configure()
PretrainCommand.main()
