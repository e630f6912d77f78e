import ViTCommands
import ViTStages

ProcessSetup.configure()
QuantizeCommand.main()
