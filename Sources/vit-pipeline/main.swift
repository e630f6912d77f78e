import ViTCommands
import ViTStages

ProcessSetup.configure()
PipelineCommand.main()
