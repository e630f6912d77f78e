import ViTCommands
import ViTStages

ProcessSetup.configure()
TrainCommand.main()
