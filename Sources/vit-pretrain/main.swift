import ViTCommands

ProcessSetup.configure()
PretrainCommand.main()
