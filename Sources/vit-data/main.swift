import ViTCommands
import ViTStages

DataCommand.main()
