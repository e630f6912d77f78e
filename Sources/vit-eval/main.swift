import ViTCommands
import ViTStages

ProcessSetup.configure()
EvalCommand.main()
