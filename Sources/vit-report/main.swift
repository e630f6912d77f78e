import ViTCommands

ProcessSetup.configure()
ReportCommand.main()
