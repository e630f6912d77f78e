import ViTCommands

ProcessSetup.preparePassiveOpenMP()
PruneCommand.main()
