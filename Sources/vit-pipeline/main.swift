import ViTCommands

ProcessSetup.configure()
PipelineCommand.main()
