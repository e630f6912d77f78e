import ViTCommands
import ViTStages

ProcessSetup.configure()
DistillCommand.main()
