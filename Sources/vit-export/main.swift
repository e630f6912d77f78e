import ViTCommands

ProcessSetup.configure()
ExportCommand.main()
