import ViTCommands

ProcessSetup.configure()
PruneCommand.main()
